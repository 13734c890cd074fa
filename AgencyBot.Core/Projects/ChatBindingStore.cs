using System.Data;
using AgencyBot.Core.Data;
using Dapper;

namespace AgencyBot.Core.Projects;

public sealed record BoundProject(long ProjectId, string ProjectName, string ClientName, string? Language);

public sealed record BoundChat
{
    public long ChatId { get; init; }
    public string Kind { get; init; } = "";
    public string Title { get; init; } = "";
    public long BoundAt { get; init; }
    public bool Blocked { get; init; }
}

/// <summary>Which client chats talk about which projects.</summary>
public sealed class ChatBindingStore(Database database)
{
    private const string SelectProjectsOfChat = """
        SELECT p.id AS ProjectId, p.name AS ProjectName, c.name AS ClientName, p.language AS Language
        FROM chat_bindings b
        JOIN projects p ON p.id = b.project_id
        JOIN clients c ON c.id = p.client_id
        WHERE b.chat_id = @ChatId
        ORDER BY b.last_used_at DESC, b.project_id DESC
        """;

    private const string Bind = """
        INSERT INTO chat_bindings (chat_id, project_id, bound_at, last_used_at) VALUES (@ChatId, @ProjectId, @Now, @Now)
        ON CONFLICT (chat_id, project_id) DO UPDATE SET last_used_at = excluded.last_used_at
        RETURNING bound_at = last_used_at
        """;

    private const string Touch = """
        UPDATE chat_bindings SET last_used_at = @Now WHERE chat_id = @ChatId AND project_id = @ProjectId
        """;

    private const string SelectChatsOfProject = """
        SELECT b.chat_id AS ChatId, COALESCE(cc.kind, 'private') AS Kind, COALESCE(cc.title, '') AS Title,
               b.bound_at AS BoundAt, (bc.chat_id IS NOT NULL) AS Blocked
        FROM chat_bindings b
        LEFT JOIN client_chats cc ON cc.chat_id = b.chat_id
        LEFT JOIN blocked_chats bc ON bc.chat_id = b.chat_id
        WHERE b.project_id = @ProjectId
        ORDER BY b.bound_at
        """;

    // Taking a chat off a project also closes the project's open invites (the removed chat could use one to come
    // back) and cancels what was still queued to that chat for the project.
    private const string Unbind = """
        DELETE FROM chat_bindings WHERE project_id = @ProjectId AND chat_id = @ChatId;
        UPDATE invites SET expires_at = @Now WHERE project_id = @ProjectId AND expires_at > @Now;
        UPDATE outbox SET state = 'failed', last_error = 'chat removed from the project'
        WHERE chat_id = @ChatId AND state = 'pending' AND message_id IN (
            SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.project_id = @ProjectId);
        """;

    private const string IsBound = "SELECT COUNT(*) FROM chat_bindings WHERE project_id = @ProjectId AND chat_id = @ChatId";

    /// <summary>The projects bound to a chat, most recently used first (the first is the default).</summary>
    public static async Task<IReadOnlyList<BoundProject>> ProjectsOfChatAsync(IDbConnection connection, IDbTransaction? transaction, long chatId) =>
        (await connection.QueryAsync<BoundProject>(SelectProjectsOfChat, new { ChatId = chatId }, transaction)).AsList();

    /// <summary>Binds (or re-selects) a project for a chat and makes it the default; true when newly bound.</summary>
    public static async Task<bool> BindChatAsync(IDbConnection connection, IDbTransaction transaction, long chatId, long projectId, DateTimeOffset now) =>
        await connection.ExecuteScalarAsync<bool>(Bind, new { ChatId = chatId, ProjectId = projectId, Now = now.ToUnixTimeMilliseconds() }, transaction);

    /// <summary>Makes a bound project the chat's default; false when the chat is not bound to it.</summary>
    public static async Task<bool> TouchAsync(IDbConnection connection, IDbTransaction transaction, long chatId, long projectId, DateTimeOffset now) =>
        await connection.ExecuteAsync(Touch, new { ChatId = chatId, ProjectId = projectId, Now = now.ToUnixTimeMilliseconds() }, transaction) == 1;

    public static async Task<IReadOnlyList<BoundChat>> ChatsOfProjectAsync(IDbConnection connection, IDbTransaction? transaction, long projectId) =>
        (await connection.QueryAsync<BoundChat>(SelectChatsOfProject, new { ProjectId = projectId }, transaction)).AsList();

    public async Task<IReadOnlyList<BoundChat>> ChatsOfProjectAsync(long projectId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await ChatsOfProjectAsync(connection, null, projectId);
    }

    /// <summary>Removes a chat from a project: nothing is relayed to or from it for that project any more.</summary>
    public Task<bool> UnbindAsync(long projectId, long chatId, DateTimeOffset now, CancellationToken ct = default) =>
        database.WriteAsync(async (c, t) =>
        {
            if (await c.ExecuteScalarAsync<long>(IsBound, new { ProjectId = projectId, ChatId = chatId }, t) == 0) return false;
            await c.ExecuteAsync(Unbind, new { ProjectId = projectId, ChatId = chatId, Now = now.ToUnixTimeMilliseconds() }, t);
            return true;
        }, ct);
}
