using AgencyBot.Core.Agency;
using AgencyBot.Core.Data;

namespace AgencyBot.Core.Conversations;

/// <param name="WaitingSeconds">Business time since the client wrote, as every other figure here.</param>
public sealed record WaitingConversation(long ConversationId, long ProjectId, long ChatId, DateTimeOffset WaitingSince, long WaitingSeconds);

public sealed record ResponseTimesReport(
    DateTimeOffset From, DateTimeOffset To, long? ProjectId,
    int Count, double? MedianSeconds, double? P90Seconds, double? ShareWithinSla, long SlaSeconds,
    IReadOnlyList<WaitingConversation> StillWaiting);

/// <summary>First-answer times from the response log, in business time (the SLA clock, as in the digest): count,
/// median, 90th percentile, share within the promise.</summary>
public sealed class ResponseTimes(Database database, BusinessCalendar calendar, IOptions<SlaOptions> sla, TimeProvider clock)
{
    private const string SelectAnswered = """
        SELECT business_seconds FROM response_log
        WHERE answered_at >= @From AND answered_at < @To AND (@ProjectId IS NULL OR project_id = @ProjectId)
        """;

    private const string SelectWaiting = """
        SELECT id AS ConversationId, project_id AS ProjectId, chat_id AS ChatId, waiting_since AS WaitingSince
        FROM conversations
        WHERE waiting_since IS NOT NULL AND (@ProjectId IS NULL OR project_id = @ProjectId)
        ORDER BY waiting_since
        """;

    /// <summary>The first answers given in [from, to), of one project or all.</summary>
    public static async Task<FirstAnswers> FirstAnswersAsync(IDbConnection c, IDbTransaction? t, DateTimeOffset from, DateTimeOffset to, long? projectId,
        long slaSeconds) =>
        FirstAnswers.Of(await c.QueryAsync<long>(SelectAnswered, new { From = from.ToUnixTimeMilliseconds(), To = to.ToUnixTimeMilliseconds(), ProjectId = projectId }, t),
            slaSeconds);

    public async Task<ResponseTimesReport> ReportAsync(DateTimeOffset from, DateTimeOffset to, long? projectId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var limit = (long)sla.Value.FirstResponse.TotalSeconds;
        var answers = await FirstAnswersAsync(connection, null, from, to, projectId, limit);
        var now = clock.GetUtcNow();
        var waiting = (await connection.QueryAsync<(long ConversationId, long ProjectId, long ChatId, long WaitingSince)>(SelectWaiting, new { ProjectId = projectId }))
            .Select(w =>
            {
                var since = DateTimeOffset.FromUnixTimeMilliseconds(w.WaitingSince);
                return new WaitingConversation(w.ConversationId, w.ProjectId, w.ChatId, since, (long)calendar.BusinessTime(since, now).TotalSeconds);
            })
            .ToList();
        return new ResponseTimesReport(from, to, projectId, answers.Count, answers.MedianSeconds, answers.P90Seconds, answers.ShareWithinSla,
            limit, waiting);
    }
}
