using AgencyBot.Core.Data;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Projects;

namespace AgencyBot.Core.StaffGroup;

/// <summary>
/// One forum topic per project in the staff chat, created on first need. Only the outbox sender creates topics,
/// and it has at most one request in flight per chat, so two relays arriving together cannot create two topics.
/// </summary>
public sealed class StaffTopics(Database database, StaffChatStore staffChats, IMessenger messenger, TimeProvider clock, ILogger<StaffTopics> logger)
{
    private const string SelectThread = """
        SELECT thread_id FROM staff_topics WHERE project_id = @ProjectId AND staff_chat_id = @StaffChatId
        """;

    private const string SelectProject = """
        SELECT project_id FROM staff_topics WHERE staff_chat_id = @StaffChatId AND thread_id = @ThreadId
        """;

    private const string Save = """
        INSERT INTO staff_topics (project_id, staff_chat_id, thread_id, created_at) VALUES (@ProjectId, @StaffChatId, @ThreadId, @Now)
        ON CONFLICT (project_id) DO UPDATE SET staff_chat_id = excluded.staff_chat_id, thread_id = excluded.thread_id, created_at = excluded.created_at
        """;

    private const string Forget = "DELETE FROM staff_topics WHERE project_id = @ProjectId AND staff_chat_id = @StaffChatId";

    private const string MoveStaffChat = "UPDATE staff_topics SET staff_chat_id = @To WHERE staff_chat_id = @From";

    /// <summary>The staff chat became a supergroup: its topics are the same ones under the new id.</summary>
    public static Task MoveStaffChatAsync(IDbConnection connection, IDbTransaction transaction, long from, long to) =>
        connection.ExecuteAsync(MoveStaffChat, new { From = from, To = to }, transaction);

    /// <summary>A link that opens the project's topic (for managers told privately); null while it has none.</summary>
    public static async Task<string?> LinkAsync(IDbConnection c, IDbTransaction t, StaffChat staff, long projectId)
    {
        // t.me/c/ links take a supergroup's id without its -100 prefix.
        var id = staff.ChatId.ToString(CultureInfo.InvariantCulture);
        var internalId = id.StartsWith("-100", StringComparison.Ordinal) ? id[4..] : id.TrimStart('-');
        var thread = await ThreadOfProjectAsync(c, t, staff.ChatId, projectId);
        return thread is { } topic ? $"https://t.me/c/{internalId}/{topic}" : null;
    }

    /// <summary>Telegram's topic names are at most 128 characters.</summary>
    internal const int MaxNameLength = 128;

    public static Task<long?> ProjectOfThreadAsync(IDbConnection connection, IDbTransaction transaction, long staffChatId, long threadId) =>
        connection.ExecuteScalarAsync<long?>(SelectProject, new { StaffChatId = staffChatId, ThreadId = threadId }, transaction);

    public static Task<long?> ThreadOfProjectAsync(IDbConnection connection, IDbTransaction transaction, long staffChatId, long projectId) =>
        connection.ExecuteScalarAsync<long?>(SelectThread, new { StaffChatId = staffChatId, ProjectId = projectId }, transaction);

    /// <summary>The project's topic in <paramref name="staffChatId"/>, created now if it has none (Created); null when
    /// the staff chat has no topics (then posts go to the group itself).</summary>
    public async Task<(int? Thread, bool Created)> EnsureAsync(long staffChatId, long projectId, CancellationToken ct)
    {
        string name;
        await using (var connection = await database.OpenAsync(ct))
        {
            if (!await IsForumAsync(connection, staffChatId, ct)) return (null, false);
            var thread = await connection.ExecuteScalarAsync<long?>(SelectThread, new { ProjectId = projectId, StaffChatId = staffChatId });
            if (thread is { } existing) return ((int)existing, false);
            name = await ProjectStore.LabelAsync(connection, null, projectId) ?? $"Project {projectId}";
        }
        if (name.Length > MaxNameLength) name = name[..(MaxNameLength - 1)] + "…";

        var created = await messenger.CreateTopicAsync(staffChatId, name, ct);
        await database.WriteAsync((c, t) => c.ExecuteAsync(Save,
            new { ProjectId = projectId, StaffChatId = staffChatId, ThreadId = created, Now = clock.GetUtcNow().ToUnixTimeMilliseconds() }, t), ct);
        logger.LogInformation("Created staff topic {ThreadId} \"{Name}\" for project {ProjectId}", created, name, projectId);
        return (created, true);
    }

    /// <summary>Someone closed the project's topic; a client wrote again, so it opens again.</summary>
    public async Task ReopenAsync(long staffChatId, long projectId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        if (await connection.ExecuteScalarAsync<long?>(SelectThread, new { ProjectId = projectId, StaffChatId = staffChatId }) is { } thread)
        {
            await messenger.ReopenTopicAsync(staffChatId, (int)thread, ct);
            logger.LogInformation("Reopened staff topic {ThreadId} of project {ProjectId}", thread, projectId);
        }
    }

    /// <summary>Whether topics are on, from what Telegram last said; asked (getChat) when nobody knows yet.</summary>
    private async Task<bool> IsForumAsync(IDbConnection connection, long staffChatId, CancellationToken ct)
    {
        if (await staffChats.GetAsync(connection) is { ChatId: var id, IsForum: { } known } && id == staffChatId) return known;
        var isForum = await messenger.IsForumAsync(staffChatId, ct);
        await database.WriteAsync((c, t) => staffChats.SetForumAsync(c, t, staffChatId, isForum), ct);
        return isForum;
    }

    /// <summary>Telegram says the topic is gone (deleted by someone): the next relay creates a new one.</summary>
    public Task ForgetAsync(long staffChatId, long projectId, CancellationToken ct) =>
        database.WriteAsync((c, t) => c.ExecuteAsync(Forget, new { ProjectId = projectId, StaffChatId = staffChatId }, t), ct);
}
