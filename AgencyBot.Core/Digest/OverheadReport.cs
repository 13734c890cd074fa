using AgencyBot.Core.Agency;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Data;
using AgencyBot.Core.TimeTracking;

namespace AgencyBot.Core.Digest;

public sealed record Breach(long ConversationId, string Chat, long BusinessSeconds, string? HeldBy, DateTimeOffset WaitingSince);

/// <summary>One project's figures for a period. Answer times are business time (the SLA clock).</summary>
public sealed record ProjectFigures(
    long ProjectId, string Client, string Project,
    long AccountManagementMinutes, long AllMinutes, double? OverheadPercent, bool OverTarget,
    int Answers, double? MedianSeconds, double? P90Seconds, double? ShareWithinSla, IReadOnlyList<Breach> Breaches);

/// <summary>The figures of every project with logged time or answers in [From, To) (the agency's days).</summary>
public sealed record Overhead(DateOnly From, DateOnly To, double TargetPercent, long SlaSeconds, IReadOnlyList<ProjectFigures> Projects);

/// <summary>Account-management overhead and first-answer times per project: the digest's figures and
/// GET /api/reports/overhead.</summary>
public sealed class OverheadReport(Database database, BusinessCalendar calendar, IOptions<TimeTrackingOptions> time,
    IOptions<DigestOptions> digest, IOptions<SlaOptions> sla)
{
    private const string SelectHours = """
        SELECT project_id AS ProjectId, category AS Category, CAST(SUM(minutes) AS BIGINT) AS Minutes
        FROM time_entries WHERE spent_on >= @From AND spent_on < @To
        GROUP BY project_id, category
        """;

    private const string SelectAnswers = """
        SELECT r.project_id AS ProjectId, r.conversation_id AS ConversationId, r.business_seconds AS BusinessSeconds,
               r.breached AS Breached, r.waiting_since AS WaitingSince, s.name AS HeldBy, COALESCE(cc.title, '') AS Chat
        FROM response_log r
        JOIN conversations c ON c.id = r.conversation_id
        LEFT JOIN client_chats cc ON cc.chat_id = c.chat_id
        LEFT JOIN staff s ON s.id = r.held_by
        WHERE r.answered_at >= @From AND r.answered_at < @To
        """;

    private const string SelectProjects = """
        SELECT p.id AS ProjectId, c.name AS Client, p.name AS Project FROM projects p JOIN clients c ON c.id = p.client_id
        """;

    private sealed record Hours
    {
        public long AccountMinutes { get; init; }
        public long AllMinutes { get; init; }
    }

    private sealed record Answer
    {
        public long ProjectId { get; init; }
        public long ConversationId { get; init; }
        public long BusinessSeconds { get; init; }
        public bool Breached { get; init; }
        public long WaitingSince { get; init; }
        public string? HeldBy { get; init; }
        public string Chat { get; init; } = "";
    }

    /// <param name="withAnswers">False: hours only (the digest's month to date, which shows no answer figures).</param>
    public async Task<Overhead> BuildAsync(DateOnly from, DateOnly to, CancellationToken ct = default, bool withAnswers = true)
    {
        await using var connection = await database.OpenAsync(ct);
        var iso = (DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        // Which categories count as account management is settled here rather than in SQL: the engines disagree on
        // how a list parameter is spelled.
        var accountManagement = time.Value.AccountManagement.ToHashSet(StringComparer.Ordinal);
        var hours = (await connection.QueryAsync<(long ProjectId, string Category, long Minutes)>(SelectHours, new { From = iso(from), To = iso(to) }))
            .GroupBy(r => r.ProjectId)
            .ToDictionary(g => g.Key, g => new Hours
            {
                AccountMinutes = g.Where(r => accountManagement.Contains(r.Category)).Sum(r => r.Minutes),
                AllMinutes = g.Sum(r => r.Minutes),
            });
        var answers = withAnswers
            ? (await connection.QueryAsync<Answer>(SelectAnswers, new { From = Start(from), To = Start(to) })).GroupBy(a => a.ProjectId).ToDictionary(g => g.Key, g => g.ToList())
            : [];
        var target = digest.Value.OverheadTargetPercent;
        var limit = (long)sla.Value.FirstResponse.TotalSeconds;

        var projects = new List<ProjectFigures>();
        foreach (var (projectId, client, project) in await connection.QueryAsync<(long, string, string)>(SelectProjects))
        {
            var h = hours.GetValueOrDefault(projectId);
            var a = answers.GetValueOrDefault(projectId) ?? [];
            if (h is null && a.Count == 0) continue;
            double? overhead = h is { AllMinutes: > 0 } ? Math.Round(100.0 * h.AccountMinutes / h.AllMinutes, 1) : null;
            var firstAnswers = FirstAnswers.Of(a.Select(x => x.BusinessSeconds), limit);
            projects.Add(new ProjectFigures(projectId, client, project, h?.AccountMinutes ?? 0, h?.AllMinutes ?? 0, overhead, overhead > target,
                firstAnswers.Count, firstAnswers.MedianSeconds, firstAnswers.P90Seconds, firstAnswers.ShareWithinSla,
                a.Where(x => x.Breached).Select(x => new Breach(x.ConversationId, x.Chat, x.BusinessSeconds, x.HeldBy,
                    DateTimeOffset.FromUnixTimeMilliseconds(x.WaitingSince))).ToList()));
        }
        return new Overhead(from, to, target, limit, projects.OrderBy(p => p.Client).ThenBy(p => p.Project).ToList());
    }

    /// <summary>Midnight of a local day, as Unix milliseconds.</summary>
    private long Start(DateOnly day) => calendar.Instant(day, TimeOnly.MinValue).ToUnixTimeMilliseconds();
}
