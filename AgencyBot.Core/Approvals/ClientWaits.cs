using AgencyBot.Core.Agency;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Data;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;

namespace AgencyBot.Core.Approvals;

/// <summary>What the agency waits for from a client: an approval, or a task put in waiting_for_client. Since: when it
/// started (milliseconds); Nudged: how many nudges went out, the last at LastNudge.</summary>
public sealed record ClientWait
{
    public long ProjectId { get; init; }
    public string Label { get; init; } = "";
    public long TaskNumber { get; init; }
    public string Title { get; init; } = "";
    public string Subject { get; init; } = "";
    public long? Since { get; init; }
    public long Nudged { get; init; }
    public long? LastNudge { get; init; }
    public bool IsApproval => Subject.StartsWith("approval:", StringComparison.Ordinal);
}

/// <summary>
/// The client's side of the clock: every wait on a client (pending approvals, tasks waiting for the client), for the
/// digest beside the agency's own waits, and polite nudges in the client's language once the client has been silent
/// for Approvals:RemindAfter working days, at most Approvals:MaxReminders times. A client who writes in the project's
/// chats since the wait (or the last nudge) stops them.
/// </summary>
public sealed class ClientWaits(Database database, OutboxStore outbox, IOptions<ApprovalOptions> options, IOptions<AgencyOptions> agency, TimeProvider clock,
    ILogger<ClientWaits> logger)
{
    private static readonly string SelectWaits = $"""
        SELECT w.ProjectId, {ProjectLabel.Sql("c", "p")} AS Label, w.TaskNumber, w.Title, w.Subject, w.Since,
               (SELECT COUNT(*) FROM client_nudges n WHERE n.subject = w.Subject) AS Nudged,
               (SELECT MAX(n.sent_at) FROM client_nudges n WHERE n.subject = w.Subject) AS LastNudge
        FROM (
            SELECT a.project_id AS ProjectId, t.number AS TaskNumber, t.title AS Title, 'approval:' || a.id AS Subject, a.requested_at AS Since
            FROM approvals a JOIN tasks t ON t.id = a.task_id WHERE a.state = 'pending'
            UNION ALL
            SELECT t.project_id, t.number, t.title, 'task:' || t.id,
                   (SELECT MAX(e.at) FROM task_events e WHERE e.task_id = t.id AND e.kind = 'status' AND e.detail = 'waiting_for_client')
            FROM tasks t
            WHERE t.status = 'waiting_for_client' AND t.staff_only = 0
              AND NOT EXISTS (SELECT 1 FROM approvals a WHERE a.task_id = t.id AND a.state = 'pending')
        ) w
        JOIN projects p ON p.id = w.ProjectId JOIN clients c ON c.id = p.client_id
        """;

    private static readonly string SelectAll = $"{SelectWaits} ORDER BY w.Since";

    private static readonly string SelectOne = $"{SelectWaits} WHERE w.Subject = @Subject";

    private const string ClientWroteSince = """
        SELECT COUNT(*) FROM messages m JOIN conversations cv ON cv.id = m.conversation_id
        WHERE cv.project_id = @ProjectId AND m.direction = 'client' AND m.created_at > @Since
        """;

    private const string InsertNudge = "INSERT INTO client_nudges (subject, project_id, sent_at) VALUES (@Subject, @ProjectId, @Now)";

    public static async Task<IReadOnlyList<ClientWait>> AllAsync(IDbConnection c, IDbTransaction? t) =>
        (await c.QueryAsync<ClientWait>(SelectAll, transaction: t)).Where(w => w.Since is > 0).ToList();

    /// <summary>Sends the nudges that are due; how many.</summary>
    public async Task<int> NudgeDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = agency.Value.DateOf(now);
        var days = new WorkingDays(agency.Value.Holidays);
        bool Due(ClientWait wait) => wait.Nudged < options.Value.MaxReminders
            && today >= days.Add(agency.Value.DateOf(DateTimeOffset.FromUnixTimeMilliseconds(wait.LastNudge ?? wait.Since!.Value)), options.Value.RemindAfter);
        // Read first, outside a write: most runs find no nudge due. Each wait found due is then nudged in a write of its
        // own that locks its project and the project's client chats on PostgreSQL, as a staff answer there does (a client
        // writing, an approval pressed, a task's status changed: each locks the project too), and under it the wait is
        // decided again (it may have ended, or another host nudged, meanwhile).
        IReadOnlyList<ClientWait> due;
        await using (var connection = await database.OpenAsync(ct))
            due = (await AllAsync(connection, null)).Where(Due).ToList();
        var sent = 0;
        foreach (var found in due)
            if (await database.ClaimAndWriteAsync((_, _) => Task.FromResult(found), ScopeOfAsync,
                    async (c, t, wait) => await c.QuerySingleOrDefaultAsync<ClientWait>(SelectOne, new { wait.Subject }, t) is { Since: > 0 } current
                        && Due(current) && await NudgeAsync(c, t, current, now), ct))
                sent++;
        return sent;
    }

    private static async Task<WriteScope> ScopeOfAsync(IDbConnection c, IDbTransaction t, ClientWait wait) =>
        WriteScope.Of((await ChatBindingStore.ReachableChatsOfProjectAsync(c, t, wait.ProjectId)).Select(chat => chat.ChatId), [wait.ProjectId]);

    /// <summary>Nudges the project's reachable chats about the wait, unless the client wrote in any of them since it began
    /// (or since the last nudge): then no nudge, and none after it.</summary>
    private async Task<bool> NudgeAsync(IDbConnection c, IDbTransaction t, ClientWait wait, DateTimeOffset now)
    {
        var from = wait.LastNudge ?? wait.Since!.Value;
        if (await c.ExecuteScalarAsync<long>(ClientWroteSince, new { wait.ProjectId, Since = from }, t) > 0) return false;
        var language = (await ProjectStore.SettingsAsync(c, t, wait.ProjectId))?.Language;
        foreach (var chat in await ChatBindingStore.ReachableChatsOfProjectAsync(c, t, wait.ProjectId))
        {
            var lang = ClientTexts.Pick(language, (await ClientChatStore.FindAsync(c, t, chat.ChatId))?.LanguageCode);
            await outbox.EnqueueTextAsync(c, t, chat.ChatId, ClientTexts.Get(wait.IsApproval ? "NudgeApproval" : "NudgeWaiting", lang, wait.Title));
        }
        await c.ExecuteAsync(InsertNudge, new { wait.Subject, wait.ProjectId, Now = now.ToUnixTimeMilliseconds() }, t);
        logger.LogInformation("Nudged the client of project {ProjectId} about {Subject} ({Count} of {Max})", wait.ProjectId, wait.Subject,
            wait.Nudged + 1, options.Value.MaxReminders);
        return true;
    }
}
