using AgencyBot.Core.Agency;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Data;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Staff;
using AgencyBot.Core.StaffGroup;

namespace AgencyBot.Core.Escalation;

/// <summary>
/// Watches every waiting client in business time: at Sla:Remind a reminder in the project's topic naming the
/// assistant and whoever holds the conversation (skipped after /ack); at Sla:FirstResponse the conversation is
/// marked breached; at Sla:Escalate every manager is alerted. Each level is claimed with a conditional update in the
/// transaction that queues its message, so it fires once per waiting period however often the check runs.
/// </summary>
public sealed class Escalations(
    Database database,
    BusinessCalendar calendar,
    StaffChatStore staffChats,
    StaffNotices notices,
    OutboxStore outbox,
    IOptions<SlaOptions> sla,
    TimeProvider clock,
    ILogger<Escalations> logger)
{
    private const string SelectWaiting = """
        SELECT c.id AS Id, c.project_id AS ProjectId, c.chat_id AS ChatId, c.waiting_since AS WaitingSince,
               c.reminded_at IS NOT NULL AS Reminded, c.breached_at IS NOT NULL AS Breached, c.escalated_at IS NOT NULL AS Escalated,
               c.acked_at IS NOT NULL AS Acked, p.name AS ProjectName, cl.name AS ClientName,
               COALESCE(cc.title, '') AS ChatTitle
        FROM conversations c
        JOIN projects p ON p.id = c.project_id
        JOIN clients cl ON cl.id = p.client_id
        LEFT JOIN client_chats cc ON cc.chat_id = c.chat_id
        WHERE c.waiting_since IS NOT NULL
        """;

    // The project's assistant (its team's, else the agency's assistants), and whoever took or acknowledged it.
    private const string SelectHolders = """
        SELECT s.id AS Id, s.telegram_user_id AS TelegramUserId, s.name AS Name, s.started_bot AS StartedBot, 'assistant' AS Why
        FROM team_members tm JOIN staff s ON s.id = tm.staff_id WHERE tm.project_id = @ProjectId AND tm.role = 'assistant' AND s.active = 1
        UNION
        SELECT s.id, s.telegram_user_id, s.name, s.started_bot, 'assistant' FROM staff s
        WHERE s.role = 'assistant' AND s.active = 1
          AND NOT EXISTS (SELECT 1 FROM team_members WHERE project_id = @ProjectId AND role = 'assistant')
        UNION
        SELECT s.id, s.telegram_user_id, s.name, s.started_bot, 'holder'
        FROM conversations c JOIN staff s ON s.id = COALESCE(c.taken_by, c.acked_by) WHERE c.id = @ConversationId AND s.active = 1
        """;

    private sealed record Waiting
    {
        public long Id { get; init; }
        public long ProjectId { get; init; }
        public long ChatId { get; init; }
        public long WaitingSince { get; init; }
        public bool Reminded { get; init; }
        public bool Breached { get; init; }
        public bool Escalated { get; init; }
        public bool Acked { get; init; }
        public string ProjectName { get; init; } = "";
        public string ClientName { get; init; } = "";
        public string ChatTitle { get; init; } = "";
    }

    private sealed record Person
    {
        public long Id { get; init; }
        public long TelegramUserId { get; init; }
        public string Name { get; init; } = "";
        public bool StartedBot { get; init; }
        public string Why { get; init; } = "";
    }

    /// <summary>One pass over every waiting client; returns how many levels fired.</summary>
    public async Task<int> CheckAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        IReadOnlyList<Waiting> waiting;
        bool hasStaffChat, hasManagers;
        await using (var connection = await database.OpenAsync(ct))
        {
            waiting = (await connection.QueryAsync<Waiting>(SelectWaiting)).AsList();
            if (waiting.Count == 0) return 0;
            hasStaffChat = await staffChats.GetAsync(connection) is not null;
            hasManagers = (await StaffStore.ManagersAsync(connection, null)).Count > 0;
        }
        // A level nobody could be told of is not claimed: it fires once someone can hear it.
        if (!hasStaffChat) logger.LogWarning("{Count} clients are waiting but no staff chat is set up: no reminder can be posted", waiting.Count);

        var fired = 0;
        foreach (var w in waiting)
        {
            var since = DateTimeOffset.FromUnixTimeMilliseconds(w.WaitingSince);
            var business = calendar.BusinessTime(since, now);
            if (hasStaffChat && business >= sla.Value.Remind && !w.Reminded && !w.Acked && await ClaimAsync(WaitLevel.Reminder, w, now, ct, RemindAsync)) fired++;
            if (business >= sla.Value.FirstResponse && !w.Breached && await ClaimAsync(WaitLevel.Breach, w, now, ct, null)) fired++;
            if (hasManagers && business >= sla.Value.Escalate && !w.Escalated && await ClaimAsync(WaitLevel.Escalation, w, now, ct, EscalateAsync)) fired++;
        }
        return fired;
    }

    /// <summary>On PostgreSQL a claim locks the waiting chat and its project, as the client's next message and a staff
    /// answer in that project do: the claim's condition (the same wait, not yet claimed) is read against whichever of
    /// them committed first, and claims for other clients go on beside it. What else it reads (the staff chat, the
    /// project's team and topic, the managers) is changed only by transactions that run alone.</summary>
    private Task<bool> ClaimAsync(WaitLevel level, Waiting w, DateTimeOffset now, CancellationToken ct,
        Func<IDbConnection, IDbTransaction, Waiting, DateTimeOffset, Task>? then) =>
        database.WriteAsync(WriteScope.Of([w.ChatId], [w.ProjectId]), async (c, t) =>
        {
            if (!await ConversationStore.ClaimLevelAsync(c, t, w.Id, w.WaitingSince, level, now)) return false;
            if (then is not null) await then(c, t, w, now);
            return true;
        }, ct);

    private async Task RemindAsync(IDbConnection c, IDbTransaction t, Waiting w, DateTimeOffset now)
    {
        if (await staffChats.GetAsync(c, t) is not { } staff) return;
        var people = (await c.QueryAsync<Person>(SelectHolders, new { w.ProjectId, ConversationId = w.Id }, t)).DistinctBy(p => p.Id).ToList();
        var mentions = people.Count == 0 ? "nobody holds it" : string.Join(", ", people.Select(Mention));
        logger.LogInformation("Conversation {ConversationId}: reminder after {Minutes} business minutes", w.Id, (int)sla.Value.Remind.TotalMinutes);
        await notices.NoticeAsync(c, t, staff, w.ProjectId,
            $"⏰ {TelegramHtml.Escape(Who(w))} has waited {Minutes(w, now)} for an answer ({mentions}). Answer here, or /ack if you are on it.", html: true);
    }

    private async Task EscalateAsync(IDbConnection c, IDbTransaction t, Waiting w, DateTimeOffset now)
    {
        var staff = await staffChats.GetAsync(c, t);
        var holders = (await c.QueryAsync<Person>(SelectHolders, new { w.ProjectId, ConversationId = w.Id }, t)).DistinctBy(p => p.Id).ToList();
        var held = holders.FirstOrDefault(h => h.Why == "holder") ?? holders.FirstOrDefault();
        var link = staff is null ? null : await StaffTopics.LinkAsync(c, t, staff, w.ProjectId);
        var text = $"🚨 {Who(w)} has waited {Minutes(w, now)} without an answer ({ProjectLabel.Of(w.ClientName, w.ProjectName)}). " +
                   $"Held by {held?.Name ?? "nobody"}." + (link is null ? "" : $"\n{link}");
        logger.LogWarning("Conversation {ConversationId}: escalated to managers after {Minutes}", w.Id, Minutes(w, now));
        foreach (var manager in await StaffStore.ManagersAsync(c, t))
        {
            if (manager.StartedBot)
                await outbox.EnqueueAsync(c, t, manager.TelegramUserId, new SendMessageRequest { ChatId = manager.TelegramUserId, Text = text });
            else if (staff is not null) // Telegram lets a bot write only to people who started it: mention them instead.
                await notices.NoticeAsync(c, t, staff, w.ProjectId, $"{TelegramHtml.Mention(manager.TelegramUserId, manager.Name)}: {TelegramHtml.Escape(text)}", html: true);
        }
    }


    private static string Who(Waiting w) => w.ChatTitle.Length > 0 ? w.ChatTitle : $"Chat {w.ChatId}";

    private string Minutes(Waiting w, DateTimeOffset now) =>
        $"{(int)calendar.BusinessTime(DateTimeOffset.FromUnixTimeMilliseconds(w.WaitingSince), now).TotalMinutes} min";

    private static string Mention(Person p) => TelegramHtml.Mention(p.TelegramUserId, p.Name);
}
