using AgencyBot.Core.Agency;
using AgencyBot.Core.Budgets;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Data;
using AgencyBot.Core.Measurement;
using AgencyBot.Core.TimeTracking;

namespace AgencyBot.Core.Digest;

public sealed record Breach(long ConversationId, string Chat, long BusinessSeconds, string? HeldBy, DateTimeOffset WaitingSince);

/// <summary>What an overhead is a share of: the hours logged on the project, or (no production time logged) the
/// hours its monthly budget allots to the period; None when neither is known.</summary>
public enum OverheadBasis { Logged, Allotted, None }

/// <summary>
/// One project's figures for a period. Account management is measured (by the bot, from the conversation record)
/// plus typed (/time, the API, invoices and reports); the overhead is its share of the basis. Answer times are
/// business time (the SLA clock).
/// </summary>
public sealed record ProjectFigures(
    long ProjectId, string Client, string Project,
    long AccountManagementMinutes, long MeasuredAccountMinutes, long TypedAccountMinutes, long ProductionMinutes, long AllMinutes,
    long? AllottedMinutes, OverheadBasis Basis, long BasisMinutes, double? OverheadPercent, bool OverTarget,
    int Answers, double? MedianSeconds, double? P90Seconds, double? ShareWithinSla, IReadOnlyList<Breach> Breaches);

/// <summary>The agency as a whole: every project's account management over every project's basis.</summary>
public sealed record AgencyFigures(long AccountManagementMinutes, long MeasuredAccountMinutes, long TypedAccountMinutes, long BasisMinutes,
    double? OverheadPercent, bool OverTarget);

/// <summary>The figures of every project with logged time, a budget or answers in [From, To) (the agency's days),
/// those over the target first. <see cref="IncludesUnrecorded"/>: today's communication time so far, measured now.</summary>
public sealed record Overhead(DateOnly From, DateOnly To, double TargetPercent, long SlaSeconds, AgencyFigures Agency,
    IReadOnlyList<ProjectFigures> Projects, bool IncludesUnrecorded = false);

/// <summary>One project's overhead week by week, oldest first (null: no basis that week).</summary>
public sealed record Trend(long ProjectId, string Label, IReadOnlyList<double?> WeeklyPercent);

/// <summary>Account-management overhead and first-answer times per project: the digest's figures and
/// GET /api/reports/overhead.</summary>
public sealed class OverheadReport(Database database, BusinessCalendar calendar, TimeEntryStore entries, MeasuredDays measuredDays,
    IOptions<TimeTrackingOptions> time, IOptions<DigestOptions> digest, IOptions<SlaOptions> sla, IOptions<AgencyOptions> agency, TimeProvider clock)
{
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
    /// <param name="withToday">When the period includes today: today's communication time so far counts too, measured
    /// now (it is written only once the day is over).</param>
    public async Task<Overhead> BuildAsync(DateOnly from, DateOnly to, CancellationToken ct = default, bool withAnswers = true, bool withToday = false)
    {
        await using var connection = await database.OpenAsync(ct);
        var use = new Dictionary<long, TimeUse>(await entries.UseAsync(connection, null, null, from, to));
        var today = agency.Value.DateOf(clock.GetUtcNow());
        var unrecorded = withToday && from <= today && today < to;
        if (unrecorded) await AddTodayAsync(connection, today, use);
        var budgets = await BudgetStore.AllCurrentAsync(connection, null);
        var answers = withAnswers
            ? (await connection.QueryAsync<Answer>(SelectAnswers, new { From = Start(from), To = Start(to) })).GroupBy(a => a.ProjectId).ToDictionary(g => g.Key, g => g.ToList())
            : [];
        var target = digest.Value.OverheadTargetPercent;
        var limit = (long)sla.Value.FirstResponse.TotalSeconds;

        var projects = new List<ProjectFigures>();
        foreach (var (projectId, client, project) in await connection.QueryAsync<(long, string, string)>(SelectProjects))
        {
            var h = use.GetValueOrDefault(projectId);
            var a = answers.GetValueOrDefault(projectId) ?? [];
            var allotted = budgets.GetValueOrDefault(projectId) is { Kind: BudgetKind.Monthly } monthly ? Allotted(monthly.Minutes, from, to) : (long?)null;
            if (h is null && a.Count == 0) continue;
            var (basis, basisMinutes) = Basis(h, allotted);
            var overhead = Percent(h?.AccountMinutes ?? 0, basisMinutes);
            var firstAnswers = FirstAnswers.Of(a.Select(x => x.BusinessSeconds), limit);
            projects.Add(new ProjectFigures(projectId, client, project,
                h?.AccountMinutes ?? 0, h?.MeasuredAccountMinutes ?? 0, (h?.AccountMinutes ?? 0) - (h?.MeasuredAccountMinutes ?? 0), h?.ProductionMinutes ?? 0,
                h?.AllMinutes ?? 0, allotted, basis, basisMinutes, overhead, overhead > target,
                firstAnswers.Count, firstAnswers.MedianSeconds, firstAnswers.P90Seconds, firstAnswers.ShareWithinSla,
                a.Where(x => x.Breached).Select(x => new Breach(x.ConversationId, x.Chat, x.BusinessSeconds, x.HeldBy,
                    DateTimeOffset.FromUnixTimeMilliseconds(x.WaitingSince))).ToList()));
        }
        var counted = projects.Where(p => p.Basis != OverheadBasis.None).ToList();
        var agencyOverhead = Percent(counted.Sum(p => p.AccountManagementMinutes), counted.Sum(p => p.BasisMinutes));
        var whole = new AgencyFigures(projects.Sum(p => p.AccountManagementMinutes), projects.Sum(p => p.MeasuredAccountMinutes),
            projects.Sum(p => p.TypedAccountMinutes), counted.Sum(p => p.BasisMinutes), agencyOverhead, agencyOverhead > target);
        return new Overhead(from, to, target, limit, whole,
            projects.OrderByDescending(p => p.OverTarget).ThenBy(p => p.Client).ThenBy(p => p.Project).ToList(), unrecorded);
    }

    /// <summary>The last <paramref name="weeks"/> weeks before <paramref name="today"/>, each a 7-day period, per project
    /// with a basis in any of them.</summary>
    public async Task<IReadOnlyList<Trend>> TrendAsync(DateOnly today, int weeks = 4, CancellationToken ct = default)
    {
        var periods = new List<Overhead>();
        for (var w = weeks; w >= 1; w--)
            periods.Add(await BuildAsync(today.AddDays(-7 * w), today.AddDays(-7 * (w - 1)), ct, withAnswers: false));
        return periods.SelectMany(p => p.Projects).Where(p => p.OverheadPercent is not null).Select(p => (p.ProjectId, Label: Projects.ProjectLabel.Of(p.Client, p.Project)))
            .Distinct()
            .Select(p => new Trend(p.ProjectId, p.Label, periods.Select(o => o.Projects.FirstOrDefault(x => x.ProjectId == p.ProjectId)?.OverheadPercent).ToList()))
            .OrderBy(t => t.Label, StringComparer.Ordinal).ToList();
    }

    /// <summary>The overhead basis: logged hours when production time was logged; else the allotted hours; else the
    /// logged hours if any (all of them account management); else none.</summary>
    internal static (OverheadBasis Basis, long Minutes) Basis(TimeUse? use, long? allotted) => use switch
    {
        { ProductionMinutes: > 0 } => (OverheadBasis.Logged, use.AllMinutes),
        _ when allotted is > 0 => (OverheadBasis.Allotted, allotted.Value),
        { AllMinutes: > 0 } => (OverheadBasis.Logged, use.AllMinutes),
        _ => (OverheadBasis.None, 0),
    };

    /// <summary>A monthly budget's share of [from, to): each month's minutes times the part of it the period covers.</summary>
    internal static long Allotted(long monthlyMinutes, DateOnly from, DateOnly to)
    {
        var total = 0.0;
        for (var month = new DateOnly(from.Year, from.Month, 1); month < to; month = month.AddMonths(1))
        {
            var next = month.AddMonths(1);
            var start = from > month ? from : month;
            var end = to < next ? to : next;
            total += monthlyMinutes * (end.DayNumber - start.DayNumber) / (double)(next.DayNumber - month.DayNumber);
        }
        return (long)Math.Round(total);
    }

    private static double? Percent(long part, long basis) => basis > 0 ? Math.Round(100.0 * part / basis, 1) : null;

    /// <summary>Today's communication time so far, for whoever has no measured entry for today yet.</summary>
    private async Task AddTodayAsync(IDbConnection connection, DateOnly today, Dictionary<long, TimeUse> use)
    {
        if (!time.Value.Measure.Enabled) return;
        foreach (var ((projectId, staffId), spent) in await measuredDays.MeasureAsync(connection, null, today))
        {
            if (await TimeEntryStore.MeasuredAsync(connection, null, projectId, staffId, today) is not null) continue;
            var minutes = CommunicationTime.Minutes(spent);
            var was = use.GetValueOrDefault(projectId) ?? new TimeUse(0, 0, 0, 0);
            use[projectId] = was with
            {
                AllMinutes = was.AllMinutes + minutes, AccountMinutes = was.AccountMinutes + minutes, MeasuredAccountMinutes = was.MeasuredAccountMinutes + minutes,
            };
        }
    }

    /// <summary>Midnight of a local day, as Unix milliseconds.</summary>
    private long Start(DateOnly day) => calendar.Instant(day, TimeOnly.MinValue).ToUnixTimeMilliseconds();
}
