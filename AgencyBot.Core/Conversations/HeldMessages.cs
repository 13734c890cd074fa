using AgencyBot.Core.Data;
using AgencyBot.Core.Inbox;

namespace AgencyBot.Core.Conversations;

public enum HoldReason
{
    /// <summary>A client's message in a chat linked to several projects, until the client picks one.</summary>
    Project,

    /// <summary>A client's message in a chat that joined with a team invite, until staff approve the chat.</summary>
    Approval,

    /// <summary>A staff answer in a topic whose project has several client chats, until the staff member says for whom.</summary>
    Recipient,
}

public sealed record HeldMessage
{
    public long Id { get; init; }
    public string Reason { get; init; } = "";
    public long ChatId { get; init; }
    public long TelegramMessageId { get; init; }
    public long UpdateId { get; init; }
    public string? MediaGroupId { get; init; }
    public long? StaffId { get; init; }
    public long? ProjectId { get; init; }
    [System.Text.Json.Serialization.JsonConverter(typeof(IsoTime))]
    public long HeldAt { get; init; }
}

/// <summary>
/// Messages that wait for a decision before they are filed or sent, so none goes to a project or a person it is not
/// for. Each refers to the inbox row it came in (kept, exactly as Telegram sent it, until the hold is released), and is
/// released once, with how it ended.
/// </summary>
public static class HeldMessages
{
    private const string Columns = """
        id AS Id, reason AS Reason, chat_id AS ChatId, telegram_message_id AS TelegramMessageId, update_id AS UpdateId,
        media_group_id AS MediaGroupId, staff_id AS StaffId, project_id AS ProjectId, held_at AS HeldAt
        """;

    private const string Insert = """
        INSERT INTO held_messages (reason, chat_id, telegram_message_id, update_id, media_group_id, staff_id, project_id, held_at)
        VALUES (@Reason, @ChatId, @TelegramMessageId, @UpdateId, @MediaGroupId, @StaffId, @ProjectId, @Now)
        RETURNING id
        """;

    private const string SelectOpenOfChat = $"""
        SELECT {Columns} FROM held_messages WHERE chat_id = @ChatId AND reason = @Reason AND released_at IS NULL ORDER BY id
        """;

    private const string SelectOpen = $"SELECT {Columns} FROM held_messages WHERE id = @Id AND released_at IS NULL";

    private const string SelectOpenOfAlbum = $"""
        SELECT {Columns} FROM held_messages
        WHERE chat_id = @ChatId AND media_group_id = @MediaGroupId AND reason = @Reason AND released_at IS NULL ORDER BY id
        """;

    private const string Release = """
        UPDATE held_messages SET released_at = @Now, outcome = @Outcome WHERE id = @Id AND released_at IS NULL
        """;

    private const string Rehold = "UPDATE held_messages SET reason = @Reason WHERE id = @Id AND released_at IS NULL";

    private const string MoveChat = "UPDATE held_messages SET chat_id = @To WHERE chat_id = @From AND released_at IS NULL";

    /// <summary>A group became a supergroup: what it has waiting waits on under the new id.</summary>
    public static Task MoveChatAsync(IDbConnection c, IDbTransaction t, long from, long to) => c.ExecuteAsync(MoveChat, new { From = from, To = to }, t);

    private const string CountOpen = "SELECT COUNT(*) FROM held_messages WHERE released_at IS NULL";

    private const string Repoint = """
        UPDATE held_messages SET update_id = @UpdateId WHERE chat_id = @ChatId AND telegram_message_id = @TelegramMessageId AND released_at IS NULL
        """;

    /// <summary>A held message was edited: it is released as edited (the edit's update holds it now). False when that
    /// message is not held.</summary>
    public static async Task<bool> RepointAsync(IDbConnection c, IDbTransaction t, long chatId, long telegramMessageId, long updateId) =>
        await c.ExecuteAsync(Repoint, new { ChatId = chatId, TelegramMessageId = telegramMessageId, UpdateId = updateId }, t) > 0;

    /// <summary>The message a hold refers to, as it is now (the latest edit, if it was edited while held).</summary>
    public static async Task<Message?> MessageOfAsync(IDbConnection c, IDbTransaction t, HeldMessage held) =>
        await InboxStore.ReadAsync(c, t, held.UpdateId) is { } update ? update.Message ?? update.EditedMessage : null;

    public static Task<long> HoldAsync(IDbConnection c, IDbTransaction t, HoldReason reason, long chatId, long telegramMessageId, long updateId,
        string? mediaGroupId, long? staffId, long? projectId, DateTimeOffset now) =>
        c.ExecuteScalarAsync<long>(Insert, new
        {
            Reason = Name(reason), ChatId = chatId, TelegramMessageId = telegramMessageId, UpdateId = updateId, MediaGroupId = mediaGroupId,
            StaffId = staffId, ProjectId = projectId, Now = now.ToUnixTimeMilliseconds(),
        }, t);

    /// <summary>What a chat has waiting for <paramref name="reason"/>, oldest first.</summary>
    public static async Task<IReadOnlyList<HeldMessage>> OpenOfChatAsync(IDbConnection c, IDbTransaction t, long chatId, HoldReason reason) =>
        (await c.QueryAsync<HeldMessage>(SelectOpenOfChat, new { ChatId = chatId, Reason = Name(reason) }, t)).AsList();

    public static Task<HeldMessage?> FindOpenAsync(IDbConnection c, IDbTransaction t, long id) =>
        c.QuerySingleOrDefaultAsync<HeldMessage>(SelectOpen, new { Id = id }, t);

    /// <summary>The parts of an album still held in a chat, oldest first.</summary>
    public static async Task<IReadOnlyList<HeldMessage>> OpenOfAlbumAsync(IDbConnection c, IDbTransaction t, long chatId, string mediaGroupId,
        HoldReason reason) =>
        (await c.QueryAsync<HeldMessage>(SelectOpenOfAlbum, new { ChatId = chatId, MediaGroupId = mediaGroupId, Reason = Name(reason) }, t)).AsList();

    /// <summary>Ends a hold (filed, sent, refused); false when it had ended already (a second tap of the same button).</summary>
    public static async Task<bool> ReleaseAsync(IDbConnection c, IDbTransaction t, long id, string outcome, DateTimeOffset now) =>
        await c.ExecuteAsync(Release, new { Id = id, Outcome = outcome, Now = now.ToUnixTimeMilliseconds() }, t) == 1;

    /// <summary>A message approved for its chat that now waits for the client's choice of project.</summary>
    public static Task HoldForAsync(IDbConnection c, IDbTransaction t, long id, HoldReason reason) =>
        c.ExecuteAsync(Rehold, new { Id = id, Reason = Name(reason) }, t);

    public static Task<long> CountOpenAsync(IDbConnection c) => c.ExecuteScalarAsync<long>(CountOpen);

    private static string Name(HoldReason reason) => reason.ToString().ToLowerInvariant();
}
