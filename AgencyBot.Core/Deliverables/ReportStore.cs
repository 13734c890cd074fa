using AgencyBot.Core.TimeTracking;

namespace AgencyBot.Core.Deliverables;

/// <summary>A client report: its period, language, state, and its text as it stands (the last version).</summary>
public sealed record ClientReport(long Id, long ProjectId, string PeriodFrom, string PeriodTo, string Language, string State, long DraftedAt,
    string Text);

/// <summary>
/// Client reports. A report is drafted once (a scheduled one once per project and period); its text is only added
/// to (each edit a new version); it leaves the draft state once, sent or skipped, by a conditional update.
/// </summary>
public static class ReportStore
{
    private const string Insert = """
        INSERT INTO client_reports (project_id, period_from, period_to, language, drafted_at, drafted_by)
        VALUES (@ProjectId, @From, @To, @Language, @Now, @By)
        ON CONFLICT DO NOTHING
        RETURNING id
        """;

    private const string InsertText = """
        INSERT INTO client_report_texts (report_id, text, written_at, written_by) VALUES (@ReportId, @Text, @Now, @By)
        """;

    private const string Select = """
        SELECT r.id AS Id, r.project_id AS ProjectId, r.period_from AS PeriodFrom, r.period_to AS PeriodTo, r.language AS Language, r.state AS State,
               r.drafted_at AS DraftedAt,
               (SELECT x.text FROM client_report_texts x WHERE x.report_id = r.id ORDER BY x.id DESC LIMIT 1) AS Text
        FROM client_reports r WHERE r.id = @Id
        """;

    private const string Decide = """
        UPDATE client_reports SET state = @State, decided_at = @Now, decided_by = @By WHERE id = @Id AND state = 'draft'
        """;

    /// <summary>A new draft; null when a scheduled one for this project and period exists already.</summary>
    public static async Task<long?> DraftAsync(IDbConnection c, IDbTransaction t, long projectId, DateOnly from, DateOnly to, string language,
        string text, long? by, DateTimeOffset now)
    {
        var id = await c.ExecuteScalarAsync<long?>(Insert, new
        {
            ProjectId = projectId, From = TimeEntryStore.Iso(from), To = TimeEntryStore.Iso(to), Language = language, Now = now.ToUnixTimeMilliseconds(), By = by,
        }, t);
        if (id is { } report) await AddTextAsync(c, t, report, text, by, now);
        return id;
    }

    public static Task AddTextAsync(IDbConnection c, IDbTransaction t, long reportId, string text, long? by, DateTimeOffset now) =>
        c.ExecuteAsync(InsertText, new { ReportId = reportId, Text = text, Now = now.ToUnixTimeMilliseconds(), By = by }, t);

    public static Task<ClientReport?> FindAsync(IDbConnection c, IDbTransaction? t, long id) =>
        c.QuerySingleOrDefaultAsync<ClientReport>(Select, new { Id = id }, t);

    /// <summary>Sent or skipped: true for the one who decided; a second press finds it decided.</summary>
    public static async Task<bool> DecideAsync(IDbConnection c, IDbTransaction t, long id, string state, long by, DateTimeOffset now) =>
        await c.ExecuteAsync(Decide, new { Id = id, State = state, Now = now.ToUnixTimeMilliseconds(), By = by }, t) == 1;
}
