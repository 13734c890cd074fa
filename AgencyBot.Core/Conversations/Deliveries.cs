using AgencyBot.Core.Data;
using AgencyBot.Core.Agency;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Staff;
using AgencyBot.Core.StaffGroup;
using AgencyBot.Core.Turns;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Conversations;

/// <summary>
/// What follows from what Telegram did with a send. An answer counts when Telegram accepted it: then its waiting
/// period closes and the response log is written (at that moment), and a later edit of it is applied. A refused answer
/// is reported in the project's topic with Telegram's reason and a Retry button. When the bot loses the staff chat or
/// its rights there, nothing is failed: what is queued waits, managers are told privately, and it all goes out once the
/// bot can post again.
/// </summary>
public sealed class Deliveries(
    StaffChatStore staffChats,
    StaffNotices notices,
    AnswerEdits edits,
    OutboxStore outbox,
    BusinessCalendar calendar,
    IOptions<SlaOptions> sla,
    TimeProvider clock,
    ILogger<Deliveries> logger) : IDeliveryListener
{
    /// <summary>Callback data of the Retry button under a refused delivery: "rt:&lt;outbox id&gt;".</summary>
    public const string RetryPrefix = "rt:";

    private const string SelectCarried = """
        SELECT m.conversation_id AS ConversationId, m.direction AS Direction, c.project_id AS ProjectId, c.chat_id AS ChatId, m.created_at AS WrittenAt,
               EXISTS (SELECT 1 FROM message_versions v WHERE v.message_id = m.id AND v.kind = 'unsent') AS Unsent
        FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = @MessageId
        """;

    private const string SelectOutageEnd = "SELECT since AS Since, ended_at AS EndedAt FROM chat_outages WHERE chat_id = @ChatId";

    private const string StartOutage = """
        INSERT INTO chat_outages (chat_id, since, reason) VALUES (@ChatId, @Now, @Reason)
        ON CONFLICT (chat_id) DO UPDATE SET since = excluded.since, reason = excluded.reason, ended_at = NULL
        """;

    private const string EndOutage = "UPDATE chat_outages SET ended_at = @Now WHERE chat_id = @ChatId AND ended_at IS NULL";

    private const string SelectOutage = "SELECT since AS Since, reason AS Reason FROM chat_outages WHERE chat_id = @ChatId AND ended_at IS NULL";


    private sealed record Carried
    {
        public long ConversationId { get; init; }
        public string Direction { get; init; } = "";
        public long ProjectId { get; init; }
        public long ChatId { get; init; }
        public bool Unsent { get; init; }
        /// <summary>When the staff member wrote it (Telegram's time), however long it then waited for its recipient.</summary>
        public long WrittenAt { get; init; }
    }

    // PostgreSQL only (SQLite is never asked for a scope): a list is one array parameter.
    private const string OutagesAmong = "SELECT COUNT(*) FROM chat_outages WHERE chat_id = ANY(@Chats) AND ended_at IS NULL";

    private const string ProjectsOfMessages = """
        SELECT DISTINCT c.project_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = ANY(@MessageIds)
        """;

    /// <summary>
    /// Delivered rows touch their chats (an outage ends) and the conversations of the messages they carry (a waiting
    /// period closes, an edit applies), so they lock those chats and projects, and the projects whose topics they
    /// posted in; a refused answer is told in the topic of its message's project, among those. A chat coming back from
    /// an outage tells managers and the staff chat: that runs alone.
    /// </summary>
    public async Task<WriteScope> ScopeOfOutcomeAsync(IDbConnection c, IDbTransaction t, IReadOnlyList<OutboxItem> rows)
    {
        var chats = rows.Select(r => r.ChatId).Distinct().ToArray();
        if (await c.ExecuteScalarAsync<long>(OutagesAmong, new { Chats = chats }, t) > 0) return WriteScope.Everything;
        var messages = rows.Where(r => r.MessageId is not null).Select(r => r.MessageId!.Value).Distinct().ToArray();
        var projects = messages.Length == 0 ? [] : await c.QueryAsync<long>(ProjectsOfMessages, new { MessageIds = messages }, t);
        return WriteScope.Of(chats, projects.Concat(rows.Where(r => r.TopicProjectId is not null).Select(r => r.TopicProjectId!.Value)));
    }

    public async Task DeliveredAsync(IDbConnection c, IDbTransaction t, IReadOnlyList<OutboxItem> rows, DateTimeOffset at)
    {
        foreach (var chatId in rows.Select(r => r.ChatId).Distinct())
            if (await c.ExecuteAsync(EndOutage, new { ChatId = chatId, Now = at.ToUnixTimeMilliseconds() }, t) == 1) await BackAsync(c, t, chatId, at);
        foreach (var row in rows.Where(r => r.MessageId is not null))
        {
            // An answer counts once Telegram has it, for the wait it was written for (not one that opened after it), unless
            // it was taken back while on its way.
            if (row.AnswerBy is { } staffId
                && await c.QuerySingleOrDefaultAsync<Carried>(SelectCarried, new { row.MessageId }, t) is { Unsent: false } answered
                && await ConversationStore.CloseWaitingAsync(c, t, answered.ConversationId, staffId, at, calendar, sla.Value.FirstResponse,
                    writtenAt: DateTimeOffset.FromUnixTimeMilliseconds(answered.WrittenAt)))
                await Reactions.OnLastClientMessageAsync(c, t, outbox, answered.ConversationId, Reactions.Answered); // 👌 on what was answered
            // An edit (or /unsend) made while this copy was on its way applies now that Telegram has it.
            await edits.ApplyWithAlbumAsync(c, t, row.MessageId!.Value);
        }
    }

    public async Task RefusedAsync(IDbConnection c, IDbTransaction t, OutboxItem row, string reason)
    {
        if (row.MessageId is not { } messageId || await c.QuerySingleOrDefaultAsync<Carried>(SelectCarried, new { MessageId = messageId }, t) is not
            { Direction: "staff" } carried || await staffChats.GetAsync(c, t) is not { } staff || row.ChatId == staff.ChatId)
            return;
        var chat = ClientChatStore.TitleOf(await ClientChatStore.FindAsync(c, t, carried.ChatId), carried.ChatId);
        var what = row.Method switch
        {
            "deleteMessage" => $"⚠️ Not taken back from {chat}: Telegram said “{reason}”. The client still has it.",
            "editMessageText" or "editMessageCaption" => $"⚠️ The edit did not reach {chat}: Telegram said “{reason}”. The client has the earlier version.",
            _ => $"⚠️ Not delivered to {chat}: Telegram said “{reason}”. The client has not seen it.",
        };
        logger.LogWarning("Chat {ChatId}: answer {MessageId} refused by Telegram ({Reason}); reported in project {ProjectId}'s topic",
            row.ChatId, messageId, reason, carried.ProjectId);
        await notices.NoticeAsync(c, t, staff, carried.ProjectId, what,
            buttons: new InlineKeyboardMarkup([[InlineKeyboardButton.WithCallbackData("🔁 Retry", $"{RetryPrefix}{row.Id}")]]));
    }

    public Task ChatBlockedAsync(IDbConnection c, IDbTransaction t, long chatId) => notices.ReportBlockedChatAsync(c, t, chatId);

    public async Task<ChatLoss> ChatLostAsync(IDbConnection c, IDbTransaction t, long chatId, string reason, DateTimeOffset sentAt)
    {
        if (await staffChats.GetAsync(c, t) is not { } staff || staff.ChatId != chatId) return ChatLoss.NotLost;
        // A refusal of a request made before the bot was back says nothing about now.
        if (await c.QuerySingleOrDefaultAsync<(long Since, long? EndedAt)?>(SelectOutageEnd, new { ChatId = chatId }, t) is { EndedAt: { } ended }
            && ended > sentAt.ToUnixTimeMilliseconds())
            return ChatLoss.Stale;
        await LostAsync(c, t, chatId, reason);
        return ChatLoss.Lost;
    }

    /// <summary>The bot's membership in the staff chat changed (my_chat_member): removed or muted there is an outage, let
    /// back in (as a member or administrator) ends it.</summary>
    public async Task StaffChatMembershipAsync(IDbConnection c, IDbTransaction t, long chatId, bool canPost, string status)
    {
        if (!canPost)
        {
            await LostAsync(c, t, chatId, $"the bot is now {status} there");
            return;
        }
        var now = clock.GetUtcNow();
        if (await c.ExecuteAsync(EndOutage, new { ChatId = chatId, Now = now.ToUnixTimeMilliseconds() }, t) == 1) await BackAsync(c, t, chatId, now);
    }

    /// <summary>Since when (and why) the bot cannot post in this chat; null when it can.</summary>
    public static async Task<(DateTimeOffset Since, string Reason)?> OutageAsync(IDbConnection c, long chatId) =>
        await c.QuerySingleOrDefaultAsync<(long Since, string Reason)?>(SelectOutage, new { ChatId = chatId }) is { } outage
            ? (DateTimeOffset.FromUnixTimeMilliseconds(outage.Since), outage.Reason)
            : null;

    /// <summary>The Retry button under a refused delivery: the row is queued again (its chat no longer counted blocked).</summary>
    public async Task HandleRetryAsync(Turn turn, CallbackQuery query)
    {
        Task AnswerAsync(string text) => turn.AnswerButtonAsync(query, text);

        var (c, t) = turn;
        var (member, staff) = (turn.Member, turn.StaffChat);
        if (member is null || staff is null || query.Message?.Chat.Id != staff.ChatId || RetriedRowOf(query.Data!) is not { } rowId)
        {
            await turn.RefusePressAsync(query);
            return;
        }
        // Only what was reported may be retried: a refused answer (or its edit or deletion) to a chat that can still
        // receive answers for the project. Forged or stale ids, and chats removed since, get nothing.
        var (row, carried) = await RetriedAsync(c, t, rowId);
        if (row is null || carried is not { Direction: "staff" } || carried.ChatId != row.ChatId
            || (await ChatBindingStore.ChatsOfProjectAsync(c, t, carried.ProjectId)).All(chat => chat.ChatId != row.ChatId || chat.Status != "active")
            || (carried.Unsent && row.Method != "deleteMessage"))
        {
            logger.LogWarning("Refused retry of outbox row {OutboxId} by {UserId}", rowId, query.From.Id);
            await AnswerAsync("This cannot be tried again: the chat is no longer linked to the project, or the answer was taken back.");
            return;
        }
        if (await OutboxStore.RetryFailedAsync(c, t, rowId, turn.Now) is not { } chatId)
        {
            await AnswerAsync("Already sent, or being tried again.");
            return;
        }
        await ClientChatStore.SetBlockedAsync(c, t, chatId, false, "retry", turn.Now);
        logger.LogInformation("Outbox row {OutboxId} to chat {ChatId} tried again by staff {StaffId}", rowId, chatId, member.Id);
        await AnswerAsync("Trying again.");
    }

    /// <summary>The outbox row a Retry button names ("rt:&lt;outbox id&gt;"; callback data can be forged).</summary>
    private static long? RetriedRowOf(string data) =>
        long.TryParse(data[RetryPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var rowId) ? rowId : null;

    /// <summary>The row a Retry names and the message it carried (with its conversation's project and chat).</summary>
    private static async Task<(OutboxItem? Row, Carried? Carried)> RetriedAsync(IDbConnection c, IDbTransaction t, long rowId)
    {
        var row = await OutboxStore.RowAsync(c, t, rowId);
        var carried = row?.MessageId is { } messageId ? await c.QuerySingleOrDefaultAsync<Carried>(SelectCarried, new { MessageId = messageId }, t) : null;
        return (row, carried);
    }

    /// <summary>The project a Retry press is about, read as <see cref="HandleRetryAsync"/> reads it (the write scope
    /// locks it and its chats): that of the answer the refused row carried; none when the button names nothing.</summary>
    public static async Task<long?> ProjectOfRetryAsync(IDbConnection c, IDbTransaction t, string data) =>
        RetriedRowOf(data) is { } rowId && await RetriedAsync(c, t, rowId) is (not null, { } carried) ? carried.ProjectId : null;

    private async Task LostAsync(IDbConnection c, IDbTransaction t, long chatId, string reason)
    {
        var now = clock.GetUtcNow();
        var open = await c.QuerySingleOrDefaultAsync<(long Since, long? EndedAt)?>(SelectOutageEnd, new { ChatId = chatId }, t);
        if (open is { EndedAt: null }) return; // known already, and told
        await c.ExecuteAsync(StartOutage, new { ChatId = chatId, Now = now.ToUnixTimeMilliseconds(), Reason = reason }, t);
        logger.LogError("The bot cannot post in the staff chat {ChatId} ({Reason}): relays stay queued until it can", chatId, reason);
        await TellManagersAsync(c, t,
            $"⛔ I can no longer post in the staff chat (Telegram: {reason}). Client messages are kept and will all go out once I am back there with the right to post and to manage topics.");
    }

    private async Task BackAsync(IDbConnection c, IDbTransaction t, long chatId, DateTimeOffset now)
    {
        var resumed = await OutboxStore.ResumeChatAsync(c, t, chatId, now);
        logger.LogWarning("The bot can post in the staff chat {ChatId} again; {Count} queued posts resume", chatId, resumed);
        await TellManagersAsync(c, t, "✅ I can post in the staff chat again: everything that waited is on its way.");
    }

    private async Task TellManagersAsync(IDbConnection c, IDbTransaction t, string text)
    {
        if (await StaffStore.TellManagersAsync(c, t, outbox, text) == 0) logger.LogWarning("No manager has started the bot, so none can be told: {Text}", text);
    }
}
