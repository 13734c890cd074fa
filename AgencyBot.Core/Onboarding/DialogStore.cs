using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgencyBot.Core.Onboarding;

/// <summary>A guided dialog in progress: who is in it where, the step it waits at, and the answers so far.</summary>
public sealed record Dialog(long ChatId, long UserId, string Kind, string Step, DialogAnswers Answers, int? ThreadId, DateTimeOffset UpdatedAt);

/// <summary>The answers of /newproject and /newclient so far.</summary>
public sealed record DialogAnswers
{
    public long? ClientId { get; init; }
    public string? ClientName { get; init; }
    public string? Name { get; init; }
    public long? TemplateId { get; init; }
    public bool TemplateChosen { get; init; }
    public DateOnly? StartOn { get; init; }
    public string? Language { get; init; }
    public string? Contact { get; init; }
}

/// <summary>The dialogs table: one dialog per person and chat, kept so that a restart in the middle loses nothing. A
/// dialog left alone for a day is over.</summary>
public static partial class DialogStore
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    /// <summary>A dialog's answers as they are kept (metadata generated at build time, not found by reflection).</summary>
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(DialogAnswers))]
    private sealed partial class DialogJson : JsonSerializerContext;

    private const string Upsert = """
        INSERT INTO dialogs (chat_id, user_id, kind, step, data, thread_id, updated_at)
        VALUES (@ChatId, @UserId, @Kind, @Step, @Data, @ThreadId, @Now)
        ON CONFLICT (chat_id, user_id) DO UPDATE SET kind = excluded.kind, step = excluded.step, data = excluded.data,
            thread_id = excluded.thread_id, updated_at = excluded.updated_at
        """;

    private const string Select = """
        SELECT chat_id AS ChatId, user_id AS UserId, kind AS Kind, step AS Step, data AS Data, thread_id AS ThreadId, updated_at AS UpdatedAt
        FROM dialogs WHERE chat_id = @ChatId AND user_id = @UserId AND updated_at > @Since
        """;

    private const string Delete = "DELETE FROM dialogs WHERE chat_id = @ChatId AND user_id = @UserId";

    private const string CountOf = "SELECT COUNT(*) FROM dialogs WHERE chat_id = @ChatId AND user_id = @UserId";

    public static Task SaveAsync(IDbConnection c, IDbTransaction t, Dialog dialog) =>
        c.ExecuteAsync(Upsert, new
        {
            dialog.ChatId, dialog.UserId, dialog.Kind, dialog.Step, Data = JsonSerializer.Serialize(dialog.Answers, DialogJson.Default.DialogAnswers), ThreadId = (long?)dialog.ThreadId,
            Now = dialog.UpdatedAt.ToUnixTimeMilliseconds(),
        }, t);

    /// <summary>The person's dialog in this chat, unless there is none or it was left alone too long.</summary>
    public static async Task<Dialog?> FindAsync(IDbConnection c, IDbTransaction t, long chatId, long userId, DateTimeOffset now)
    {
        var row = await c.QuerySingleOrDefaultAsync<Row>(Select, new { ChatId = chatId, UserId = userId, Since = (now - Lifetime).ToUnixTimeMilliseconds() }, t);
        return row is null ? null : new Dialog(row.ChatId, row.UserId, row.Kind, row.Step, JsonSerializer.Deserialize(row.Data, DialogJson.Default.DialogAnswers)!,
            row.ThreadId is { } thread ? (int)thread : null, DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt));
    }

    /// <summary>Whether the person has a dialog in this chat, however old: for a decision that must not miss one.</summary>
    public static async Task<bool> AnyAsync(IDbConnection c, IDbTransaction t, long chatId, long userId) =>
        await c.ExecuteScalarAsync<long>(CountOf, new { ChatId = chatId, UserId = userId }, t) > 0;

    public static Task EndAsync(IDbConnection c, IDbTransaction t, long chatId, long userId) =>
        c.ExecuteAsync(Delete, new { ChatId = chatId, UserId = userId }, t);

    private sealed record Row
    {
        public long ChatId { get; init; }
        public long UserId { get; init; }
        public string Kind { get; init; } = "";
        public string Step { get; init; } = "";
        public string Data { get; init; } = "";
        public long? ThreadId { get; init; }
        public long UpdatedAt { get; init; }
    }
}
