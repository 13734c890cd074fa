using System.Text;
using AgencyBot.Core.Agency;
using AgencyBot.Core.Data;
using AgencyBot.Core.Projects;
using AgencyBot.Core.TimeTracking;

namespace AgencyBot.Core.Digest;

/// <summary>The digest: yesterday and month to date per project (and, asked for during the day, today so far), the
/// agency as a whole, answers and breaches, who is still waiting, overdue tasks, silent clients; with the chart of
/// each project's overhead over the last four weeks.</summary>
public sealed record DigestContent(string Text, byte[]? Chart, Overhead Yesterday, Overhead Month, Overhead? Today, IReadOnlyList<Trend> Trend);

public sealed class DigestBuilder(Database database, OverheadReport overhead, IOptions<DigestOptions> options, IOptions<AgencyOptions> agency,
    TimeProvider clock, Microsoft.Extensions.Logging.ILogger<DigestBuilder> logger)
{
    /// <summary>A digest stays readable: breaches are listed up to this many per project, then summed up by holder.</summary>
    private const int MaxLines = 10;

    private static readonly string SelectWaiting = $"""
        SELECT c.waiting_since AS WaitingSince, COALESCE(cc.title, '') AS Chat, {ProjectLabel.Sql("cl", "p")} AS Project
        FROM conversations c JOIN projects p ON p.id = c.project_id JOIN clients cl ON cl.id = p.client_id
        LEFT JOIN client_chats cc ON cc.chat_id = c.chat_id
        WHERE c.waiting_since IS NOT NULL ORDER BY c.waiting_since
        """;

    private static readonly string SelectOverdue = $"""
        SELECT t.number AS Number, t.title AS Title, t.due_on AS DueOn, COALESCE(s.name, 'unassigned') AS Responsible,
               {ProjectLabel.Sql("cl", "p")} AS Project
        FROM tasks t JOIN projects p ON p.id = t.project_id JOIN clients cl ON cl.id = p.client_id
        LEFT JOIN staff s ON s.id = t.responsible_id
        WHERE t.status <> 'done' AND t.due_on < @Today ORDER BY t.due_on, p.id, t.number
        """;

    // Clients with a linked chat whose last message is older than the limit (or who never wrote).
    private const string SelectSilent = """
        SELECT cl.name AS Client, MAX(c.last_client_message_at) AS LastAt
        FROM clients cl
        JOIN projects p ON p.client_id = cl.id
        JOIN chat_bindings b ON b.project_id = p.id
        LEFT JOIN conversations c ON c.project_id = p.id
        GROUP BY cl.id
        HAVING MAX(c.last_client_message_at) IS NULL OR MAX(c.last_client_message_at) < @Before
        ORDER BY cl.name
        """;

    /// <param name="soFar">Asked for now (/digest, the API): today so far is shown too.</param>
    public async Task<DigestContent> BuildAsync(DateOnly today, CancellationToken ct = default, bool soFar = false)
    {
        var yesterday = today.AddDays(-1);
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        var day = await overhead.BuildAsync(yesterday, today, ct);
        // Month to date: from the 1st through yesterday (on the 1st, the whole of last month).
        var month = await overhead.BuildAsync(monthStart == today ? monthStart.AddMonths(-1) : monthStart, today, ct, withAnswers: false);
        var todaySoFar = soFar ? await overhead.BuildAsync(today, today.AddDays(1), ct, withAnswers: false, withToday: true) : null;
        var trend = await overhead.TrendAsync(today, ct: ct);
        var now = clock.GetUtcNow();

        await using var connection = await database.OpenAsync(ct);
        var waiting = (await connection.QueryAsync<(long WaitingSince, string Chat, string Project)>(SelectWaiting)).AsList();
        var overdue = (await connection.QueryAsync<(long Number, string Title, string DueOn, string Responsible, string Project)>(SelectOverdue,
            new { Today = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) })).AsList();
        var silent = (await connection.QueryAsync<(string Client, long? LastAt)>(SelectSilent,
            new { Before = (now - options.Value.SilentAfter).ToUnixTimeMilliseconds() })).AsList();
        var clientWaits = await Approvals.ClientWaits.AllAsync(connection, null);
        var rated = await Satisfaction.Ratings.SummaryAsync(connection, null, now - TimeSpan.FromDays(7), now.AddMilliseconds(1)); // up to this moment

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"📊 Daily digest, {today:ddd d MMM yyyy}");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Target: account management under {day.TargetPercent:0.#}% of project hours; first answer within {day.SlaSeconds / 60} min (business time).");
        text.AppendLine(CultureInfo.InvariantCulture, $"Agency, month to date: {AgencyHours(month)}");
        if (rated.Asked > 0)
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Clients' ratings, last 7 days: 👍 {rated.Good} · 😐 {rated.Neutral} · 👎 {rated.Bad}") +
                (rated.GoodPercent is { } good
                    ? string.Create(CultureInfo.InvariantCulture, $" ({good:0.#}% 👍; {rated.Rated} of {rated.Asked} asked answered)")
                    : string.Create(CultureInfo.InvariantCulture, $" ({rated.Asked} asked, none answered yet)")));
        // Projects over the target first (this month, then yesterday), then by name.
        var shown = month.Projects.Concat(day.Projects).Concat(todaySoFar?.Projects ?? [])
            .GroupBy(p => p.ProjectId)
            .Select(g => (g.Key, Name: ProjectLabel.Of(g.First().Client, g.First().Project), Over: g.Any(p => p.OverTarget)))
            .OrderByDescending(p => p.Over).ThenBy(p => p.Name, StringComparer.Ordinal);
        foreach (var project in shown.Select(p => (ProjectId: p.Key, p.Name)))
        {
            text.AppendLine();
            text.AppendLine(project.Name);
            var y = day.Projects.FirstOrDefault(p => p.ProjectId == project.ProjectId);
            var m = month.Projects.FirstOrDefault(p => p.ProjectId == project.ProjectId);
            if (todaySoFar is not null)
                text.AppendLine($"  Today so far: {Hours(todaySoFar.Projects.FirstOrDefault(p => p.ProjectId == project.ProjectId), todaySoFar.TargetPercent)}");
            text.AppendLine($"  Yesterday: {Hours(y, day.TargetPercent)}");
            text.AppendLine($"  Month to date: {Hours(m, month.TargetPercent)}");
            if (y is { Answers: > 0 })
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  Answers yesterday: {y.Answers}, median {Min(y.MedianSeconds)}, p90 {Min(y.P90Seconds)}, {y.ShareWithinSla * 100:0}% within {day.SlaSeconds / 60} min");
            var breaches = y?.Breaches ?? [];
            foreach (var breach in breaches.Take(MaxLines))
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  ⛔ Breach: {(breach.Chat.Length > 0 ? breach.Chat : "a client")} waited {breach.BusinessSeconds / 60} min, held by {breach.HeldBy ?? "nobody"}");
            if (breaches.Count > MaxLines)
            {
                var holders = string.Join(", ", breaches.Skip(MaxLines).GroupBy(b => b.HeldBy ?? "nobody")
                    .OrderByDescending(g => g.Count()).Select(g => $"{g.Key} ({g.Count()})"));
                text.AppendLine(CultureInfo.InvariantCulture, $"  ⛔ …and {breaches.Count - MaxLines} more breaches, held by {holders}");
            }
        }
        if (waiting.Count > 0)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"⏳ Still waiting: {waiting.Count}");
            foreach (var w in waiting.Take(MaxLines * 5))
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {w.Project}: {w.Chat}, since {Local(DateTimeOffset.FromUnixTimeMilliseconds(w.WaitingSince)):ddd HH:mm}");
        }
        if (clientWaits.Count > 0)
        {
            // The client's side of the clock, beside the agency's own.
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"⏸ Waiting for clients: {clientWaits.Count}");
            foreach (var w in clientWaits.Take(MaxLines * 5))
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {w.Label}: #{w.TaskNumber} {w.Title} ({(w.IsApproval ? "approval" : "feedback")}), since {Local(DateTimeOffset.FromUnixTimeMilliseconds(w.Since!.Value)):ddd d MMM HH:mm}{(w.Nudged > 0 ? $", nudged {w.Nudged}×" : "")}");
        }
        if (overdue.Count > 0)
        {
            text.AppendLine().AppendLine("📅 Overdue tasks:");
            foreach (var o in overdue.Take(MaxLines * 5))
                text.AppendLine(CultureInfo.InvariantCulture, $"  #{o.Number} {o.Title} ({o.Project}): {o.Responsible}, due {DateOnly.Parse(o.DueOn, CultureInfo.InvariantCulture):d MMM}");
            if (overdue.Count > MaxLines * 5) text.AppendLine(CultureInfo.InvariantCulture, $"  …and {overdue.Count - MaxLines * 5} more (GET /api/projects/{{id}}/tasks)");
        }
        if (silent.Count > 0)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"🤫 Silent for {options.Value.SilentAfterInWords} or more:");
            foreach (var s in silent)
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {s.Client}: {(s.LastAt is { } at ? $"last wrote {Local(DateTimeOffset.FromUnixTimeMilliseconds(at)):d MMM}" : "never wrote")}");
        }
        return new DigestContent(text.ToString().TrimEnd(), ChartOrNull(trend, today, month.TargetPercent), day, month, todaySoFar, trend);
    }

    /// <summary>The chart is a bonus: if drawing it fails (fonts, memory), the figures still go out.</summary>
    private byte[]? ChartOrNull(IReadOnlyList<Trend> trend, DateOnly today, double target)
    {
        try
        {
            return DigestChart.Png(trend, today, target);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogError(ex, "Drawing the digest chart failed; the digest goes without it");
            return null;
        }
    }

    private DateTimeOffset Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, agency.Value.Zone());

    /// <summary>"account management 1:30 of 15:00 h logged, 10.0% ✅ under 10% (measured 0:40, typed 0:50)".</summary>
    private static string Hours(ProjectFigures? p, double target) => p switch
    {
        null or { Basis: OverheadBasis.None } => "no time logged",
        _ => string.Create(CultureInfo.InvariantCulture,
            $"account management {Durations.Format(p.AccountManagementMinutes)} of {Durations.Format(p.BasisMinutes)} h {BasisName(p.Basis)}, "
            + $"{p.OverheadPercent:0.0}% {(p.OverTarget ? "⚠️ over" : "✅ under")} {target:0.#}%") + Split(p.MeasuredAccountMinutes, p.TypedAccountMinutes),
    };

    private static string AgencyHours(Overhead period) => period.Agency.OverheadPercent is { } percent
        ? string.Create(CultureInfo.InvariantCulture,
            $"account management {Durations.Format(period.Agency.AccountManagementMinutes)} of {Durations.Format(period.Agency.BasisMinutes)} h, {percent:0.0}% "
            + $"{(period.Agency.OverTarget ? "⚠️ over" : "✅ under")} {period.TargetPercent:0.#}%") + Split(period.Agency.MeasuredAccountMinutes, period.Agency.TypedAccountMinutes)
        : "no time logged";

    private static string Split(long measured, long typed) =>
        measured == 0 ? "" : $" (measured {Durations.Format(measured)}, typed {Durations.Format(typed)})";

    private static string BasisName(OverheadBasis basis) => basis == OverheadBasis.Allotted ? "allotted" : "logged";

    private static string Min(double? seconds) => seconds is { } s ? $"{s / 60:0.#} min" : "n/a";
}
