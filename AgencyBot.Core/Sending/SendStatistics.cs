using System.Collections.Concurrent;

namespace AgencyBot.Core.Sending;

/// <summary>Counters since start-up, and the recent 429s, for the operations view and the benchmark.</summary>
public sealed class SendStatistics
{
    private long _sent, _tooManyRequests, _failed, _transient;
    private readonly ConcurrentQueue<DateTimeOffset> _recentTooMany = new();

    public long SentCount => Interlocked.Read(ref _sent);
    public long TooManyRequestsCount => Interlocked.Read(ref _tooManyRequests);
    public long FailedCount => Interlocked.Read(ref _failed);
    public long TransientFailureCount => Interlocked.Read(ref _transient);

    /// <summary>429 answers since <paramref name="since"/> (kept for an hour).</summary>
    public int TooManyRequestsSince(DateTimeOffset since) => _recentTooMany.Count(at => at >= since);

    internal void Sent() => Interlocked.Increment(ref _sent);
    internal void Failed() => Interlocked.Increment(ref _failed);
    internal void TransientFailure() => Interlocked.Increment(ref _transient);

    internal void TooManyRequests(DateTimeOffset at)
    {
        Interlocked.Increment(ref _tooManyRequests);
        _recentTooMany.Enqueue(at);
        while (_recentTooMany.TryPeek(out var oldest) && oldest < at - TimeSpan.FromHours(1)) _recentTooMany.TryDequeue(out _);
    }
}
