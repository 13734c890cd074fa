namespace AgencyBot.Core.Outbox;

/// <summary>Counters since start-up, for the operations view and the benchmark.</summary>
public sealed class SendStatistics
{
    private long _sent, _tooManyRequests, _failed, _transient;

    public long SentCount => Interlocked.Read(ref _sent);
    public long TooManyRequestsCount => Interlocked.Read(ref _tooManyRequests);
    public long FailedCount => Interlocked.Read(ref _failed);
    public long TransientFailureCount => Interlocked.Read(ref _transient);

    internal void Sent() => Interlocked.Increment(ref _sent);
    internal void TooManyRequests() => Interlocked.Increment(ref _tooManyRequests);
    internal void Failed() => Interlocked.Increment(ref _failed);
    internal void TransientFailure() => Interlocked.Increment(ref _transient);
}
