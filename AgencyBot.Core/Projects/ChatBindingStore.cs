using AgencyBot.Core.Data;
using AgencyBot.Core.Outbox;

namespace AgencyBot.Core.Projects;

/// <summary>A project a chat is linked to. <see cref="ChosenAt"/>: when the client last picked it (or wrote about it),
/// for a chat linked to several projects.</summary>
public sealed record BoundProject(long ProjectId, string ProjectName, string ClientName, string? Language, long? ChosenAt = null);

public sealed record BoundChat
{
    public long ChatId { get; init; }
    public string Kind { get; init; } = "";
    public string Title { get; init; } = "";
    [System.Text.Json.Serialization.JsonConverter(typeof(IsoTime))]
    public long BoundAt { get; init; }
    public bool Blocked { get; init; }
    /// <summary>"active", or "pending": joined with a team invite and not approved yet (nothing is relayed to it).</summary>
    public string Status { get; init; } = "active";

    /// <summary>Whether answers and notes may go to this chat now.</summary>
    public bool Reachable => !Blocked && Status == "active";
}

/// <summary>Which client chats talk about which projects.</summary>
public sealed class ChatBindingStore(Database database)
{
    private const string ProjectColumns = """
        p.id AS ProjectId, p.name AS ProjectName, c.name AS ClientName, p.language AS Language, b.chosen_at AS ChosenAt
        """;

    private const string SelectProjectsOfChat = $"""
        SELECT {ProjectColumns}
        FROM chat_bindings b
        JOIN projects p ON p.id = b.project_id
        JOIN clients c ON c.id = p.client_id
        WHERE b.chat_id = @ChatId AND b.status = @Status
        ORDER BY b.chosen_at IS NULL, b.chosen_at DESC, b.bound_at DESC, b.project_id DESC
        """;

    private const string Bind = """
        INSERT INTO chat_bindings (chat_id, project_id, bound_at, last_used_at, status, invite_code)
        VALUES (@ChatId, @ProjectId, @Now, @Now, @Status, @InviteCode)
        ON CONFLICT (chat_id, project_id) DO NOTHING
        """;

    // A chat that gains a project has to say which one it writes about from then on.
    private const string ForgetChoice = "UPDATE chat_bindings SET chosen_at = NULL WHERE chat_id = @ChatId";

    private const string Choose = """
        UPDATE chat_bindings SET chosen_at = @Now, last_used_at = @Now WHERE chat_id = @ChatId AND project_id = @ProjectId AND status = 'active'
        """;

    private const string Approve = "UPDATE chat_bindings SET status = 'active' WHERE chat_id = @ChatId AND project_id = @ProjectId AND status = 'pending'";

    private const string Refuse = "DELETE FROM chat_bindings WHERE chat_id = @ChatId AND project_id = @ProjectId AND status = 'pending'";

    private const string SelectChatsOfProject = """
        SELECT b.chat_id AS ChatId, COALESCE(cc.kind, 'private') AS Kind, COALESCE(cc.title, '') AS Title,
               b.bound_at AS BoundAt, (bc.chat_id IS NOT NULL) AS Blocked, b.status AS Status
        FROM chat_bindings b
        LEFT JOIN client_chats cc ON cc.chat_id = b.chat_id
        LEFT JOIN blocked_chats bc ON bc.chat_id = b.chat_id
        WHERE b.project_id = @ProjectId
        ORDER BY b.bound_at, b.chat_id
        """;

    // Taking a chat off a project also revokes the project's open invites (the removed chat could use one to come
    // back) and cancels what was still queued to that chat for the project.
    private const string Unbind = "DELETE FROM chat_bindings WHERE project_id = @ProjectId AND chat_id = @ChatId";

    private const string MoveChat = """
        INSERT INTO chat_bindings (chat_id, project_id, bound_at, last_used_at, status, invite_code, chosen_at)
        SELECT @To, project_id, bound_at, last_used_at, status, invite_code, chosen_at FROM chat_bindings WHERE chat_id = @From
        ON CONFLICT (chat_id, project_id) DO NOTHING;
        DELETE FROM chat_bindings WHERE chat_id = @From;
        """;

    /// <summary>A group became a supergroup: its links go with it.</summary>
    public static Task MoveChatAsync(IDbConnection c, IDbTransaction t, long from, long to) =>
        c.ExecuteAsync(MoveChat, new { From = from, To = to }, t);

    private const string IsBound = "SELECT COUNT(*) FROM chat_bindings WHERE project_id = @ProjectId AND chat_id = @ChatId";

    private const string IsBoundAtAll = "SELECT COUNT(*) FROM chat_bindings WHERE chat_id = @ChatId";

    /// <summary>Whether the chat is linked to any project, or waits for approval to be.</summary>
    public static async Task<bool> IsClientChatAsync(IDbConnection connection, IDbTransaction? transaction, long chatId) =>
        await connection.ExecuteScalarAsync<long>(IsBoundAtAll, new { ChatId = chatId }, transaction) > 0;

    /// <summary>The projects a chat is linked to (approved), the one picked last first.</summary>
    public static async Task<IReadOnlyList<BoundProject>> ProjectsOfChatAsync(IDbConnection connection, IDbTransaction? transaction, long chatId) =>
        (await connection.QueryAsync<BoundProject>(SelectProjectsOfChat, new { ChatId = chatId, Status = "active" }, transaction)).AsList();

    /// <summary>The projects a chat joined with a team invite that staff have not approved yet.</summary>
    public static async Task<IReadOnlyList<BoundProject>> PendingProjectsOfChatAsync(IDbConnection connection, IDbTransaction? transaction, long chatId) =>
        (await connection.QueryAsync<BoundProject>(SelectProjectsOfChat, new { ChatId = chatId, Status = "pending" }, transaction)).AsList();

    /// <summary>Links a chat to a project (<paramref name="pending"/>: waiting for staff approval); true when newly linked.
    /// A chat that now has several projects picks the one it writes about.</summary>
    public static async Task<bool> BindChatAsync(IDbConnection connection, IDbTransaction transaction, long chatId, long projectId, DateTimeOffset now,
        bool pending = false, string? inviteCode = null)
    {
        var bound = await connection.ExecuteAsync(Bind, new
        {
            ChatId = chatId, ProjectId = projectId, Now = now.ToUnixTimeMilliseconds(), Status = pending ? "pending" : "active", InviteCode = inviteCode,
        }, transaction) == 1;
        if (bound && !pending) await connection.ExecuteAsync(ForgetChoice, new { ChatId = chatId }, transaction);
        return bound;
    }

    /// <summary>The client picked (or wrote about) one of its chat's projects; false when the chat is not linked to it.</summary>
    public static async Task<bool> ChooseAsync(IDbConnection connection, IDbTransaction transaction, long chatId, long projectId, DateTimeOffset now) =>
        await connection.ExecuteAsync(Choose, new { ChatId = chatId, ProjectId = projectId, Now = now.ToUnixTimeMilliseconds() }, transaction) == 1;

    /// <summary>Staff approved a chat that joined with a team invite; false when it was not waiting (approved already, or refused).</summary>
    public static async Task<bool> ApproveAsync(IDbConnection connection, IDbTransaction transaction, long chatId, long projectId, DateTimeOffset now)
    {
        if (await connection.ExecuteAsync(Approve, new { ChatId = chatId, ProjectId = projectId }, transaction) != 1) return false;
        await connection.ExecuteAsync(ForgetChoice, new { ChatId = chatId }, transaction);
        return true;
    }

    /// <summary>Staff refused a chat that joined with a team invite; false when it was not waiting.</summary>
    public static async Task<bool> RefuseAsync(IDbConnection connection, IDbTransaction transaction, long chatId, long projectId) =>
        await connection.ExecuteAsync(Refuse, new { ChatId = chatId, ProjectId = projectId }, transaction) == 1;

    /// <summary>Every chat linked to the project, approved or waiting, blocked or not.</summary>
    public static async Task<IReadOnlyList<BoundChat>> ChatsOfProjectAsync(IDbConnection connection, IDbTransaction? transaction, long projectId) =>
        (await connection.QueryAsync<BoundChat>(SelectChatsOfProject, new { ProjectId = projectId }, transaction)).AsList();

    /// <summary>The chats answers and notes may go to now: approved and not blocked.</summary>
    public static async Task<IReadOnlyList<BoundChat>> ReachableChatsOfProjectAsync(IDbConnection connection, IDbTransaction? transaction, long projectId) =>
        (await ChatsOfProjectAsync(connection, transaction, projectId)).Where(c => c.Reachable).ToList();

    public async Task<IReadOnlyList<BoundChat>> ChatsOfProjectAsync(long projectId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await ChatsOfProjectAsync(connection, null, projectId);
    }

    /// <summary>Removes a chat from a project: nothing is relayed to or from it for that project any more. False when
    /// the chat was not linked to it.</summary>
    public static async Task<bool> UnbindAsync(IDbConnection c, IDbTransaction t, long projectId, long chatId, DateTimeOffset now)
    {
        if (await c.ExecuteScalarAsync<long>(IsBound, new { ProjectId = projectId, ChatId = chatId }, t) == 0) return false;
        await c.ExecuteAsync(Unbind, new { ProjectId = projectId, ChatId = chatId }, t);
        await InviteStore.RevokeOpenAsync(c, t, projectId, now);
        await OutboxStore.CancelOfProjectChatAsync(c, t, chatId, projectId, "chat removed from the project");
        return true;
    }
}
