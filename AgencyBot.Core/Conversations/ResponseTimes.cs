using AgencyBot.Core.Data;
using AgencyBot.Core.Escalation;
using Dapper;
using Microsoft.Extensions.Options;

namespace AgencyBot.Core.Conversations;

public sealed record WaitingConversation(long ConversationId, long ProjectId, long ChatId, DateTimeOffset WaitingSince, long WaitingSeconds);

public sealed record ResponseTimesReport(
    DateTimeOffset From, DateTimeOffset To, long? ProjectId,
    int Count, double? MedianSeconds, double? P90Seconds, double? ShareWithinSla, long SlaSeconds,
    IReadOnlyList<WaitingConversation> StillWaiting);

/// <summary>First-answer times from the response log, in business time (the SLA clock, as in the digest): count,
/// median, 90th percentile, share within the promise.</summary>
public sealed class ResponseTimes(Database database, IOptions<SlaOptions> sla, TimeProvider clock)
{
    private const string SelectAnswered = """
        SELECT business_seconds FROM response_log
        WHERE answered_at >= @From AND answered_at < @To AND (@ProjectId IS NULL OR project_id = @ProjectId)
        ORDER BY seconds
        """;

    private const string SelectWaiting = """
        SELECT id AS ConversationId, project_id AS ProjectId, chat_id AS ChatId, waiting_since AS WaitingSince
        FROM conversations
        WHERE waiting_since IS NOT NULL AND (@ProjectId IS NULL OR project_id = @ProjectId)
        ORDER BY waiting_since
        """;

    public async Task<ResponseTimesReport> ReportAsync(DateTimeOffset from, DateTimeOffset to, long? projectId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var seconds = (await connection.QueryAsync<long>(SelectAnswered,
            new { From = from.ToUnixTimeMilliseconds(), To = to.ToUnixTimeMilliseconds(), ProjectId = projectId })).AsList();
        var now = clock.GetUtcNow();
        var waiting = (await connection.QueryAsync<(long ConversationId, long ProjectId, long ChatId, long WaitingSince)>(SelectWaiting, new { ProjectId = projectId }))
            .Select(w =>
            {
                var since = DateTimeOffset.FromUnixTimeMilliseconds(w.WaitingSince);
                return new WaitingConversation(w.ConversationId, w.ProjectId, w.ChatId, since, (long)Math.Max(0, (now - since).TotalSeconds));
            })
            .ToList();
        var limit = (long)sla.Value.FirstResponse.TotalSeconds;
        return new ResponseTimesReport(from, to, projectId, seconds.Count,
            Round(Percentile(seconds, 0.5)), Round(Percentile(seconds, 0.9)),
            seconds.Count == 0 ? null : Math.Round(seconds.Count(s => s <= limit) / (double)seconds.Count, 4),
            limit, waiting);
    }

    private static double? Round(double? seconds) => seconds is { } s ? Math.Round(s, 1) : null;

    /// <summary>Linear interpolation between closest ranks (the usual definition; the median of 1,2,3,4 is 2.5).</summary>
    internal static double? Percentile(IReadOnlyList<long> sorted, double p)
    {
        if (sorted.Count == 0) return null;
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}
