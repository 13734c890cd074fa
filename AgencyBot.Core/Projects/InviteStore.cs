using System.Security.Cryptography;
using AgencyBot.Core.Data;

namespace AgencyBot.Core.Projects;

public enum InviteKind { Single, Team }

public sealed record Invite(string Code, long ProjectId, InviteKind Kind, DateTimeOffset ExpiresAt);

/// <summary>An invite as the agency sees it: whether it can still be used, and by whom it was.</summary>
public sealed record InviteState
{
    public string Code { get; init; } = "";
    public long ProjectId { get; init; }
    public string Kind { get; init; } = "";
    [System.Text.Json.Serialization.JsonConverter(typeof(IsoTime))]
    public long CreatedAt { get; init; }
    [System.Text.Json.Serialization.JsonConverter(typeof(IsoTime))]
    public long ExpiresAt { get; init; }
    public long? UsedByChatId { get; init; }
    [System.Text.Json.Serialization.JsonConverter(typeof(IsoTimeOrNull))]
    public long? UsedAt { get; init; }
    [System.Text.Json.Serialization.JsonConverter(typeof(IsoTimeOrNull))]
    public long? RevokedAt { get; init; }
    /// <summary>open, used, expired or revoked.</summary>
    public string State { get; init; } = "";
}

/// <summary>What opening an invite gave: the project, and whether the chat waits for staff approval (a team invite).</summary>
public sealed record Redeemed(long ProjectId, InviteKind Kind);

/// <summary>
/// Invite codes a client opens as t.me/&lt;bot&gt;?start=&lt;code&gt; (or /link &lt;code&gt; in a group) to link a chat to a
/// project. A single invite is spent by the chat that opens it first, so a forwarded link reaches nobody else; a team
/// invite lets several chats join, each waiting for a staff member's approval before anything is relayed to it.
/// </summary>
public sealed class InviteStore(Database database, TimeProvider clock)
{
    // Deep-link payloads allow A-Z, a-z, 0-9, _ and -; 20 characters from 62 is ~119 bits.
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int CodeLength = 20;

    private const string Insert = """
        INSERT INTO invites (code, project_id, created_at, expires_at, kind)
        SELECT @Code, id, @Now, @ExpiresAt, @Kind FROM projects WHERE id = @ProjectId
        """;

    // A single invite opened again by the chat that spent it is no second use (it is told it is linked already).
    private const string Redeem = """
        UPDATE invites SET used_by_chat_id = CASE WHEN kind = 'single' THEN @ChatId ELSE used_by_chat_id END,
                           used_at = CASE WHEN kind = 'single' THEN @Now ELSE used_at END
        WHERE code = @Code AND expires_at > @Now AND revoked_at IS NULL
          AND (kind = 'team' OR used_by_chat_id IS NULL OR used_by_chat_id = @ChatId)
        RETURNING project_id AS ProjectId, kind AS Kind
        """;

    private const string SelectOfProject = """
        SELECT code AS Code, project_id AS ProjectId, kind AS Kind, created_at AS CreatedAt, expires_at AS ExpiresAt,
               used_by_chat_id AS UsedByChatId, used_at AS UsedAt, revoked_at AS RevokedAt,
               CASE WHEN revoked_at IS NOT NULL THEN 'revoked' WHEN kind = 'single' AND used_by_chat_id IS NOT NULL THEN 'used'
                    WHEN expires_at <= @Now THEN 'expired' ELSE 'open' END AS State
        FROM invites WHERE project_id = @ProjectId ORDER BY created_at DESC, code
        """;

    private const string Revoke = """
        UPDATE invites SET revoked_at = @Now WHERE project_id = @ProjectId AND code = @Code AND revoked_at IS NULL
        """;

    /// <summary>Opens an invite for a chat: the project it links, or null when the code is unknown, expired, revoked or
    /// already spent by another chat.</summary>
    private const string SelectProjectOfCode = "SELECT project_id FROM invites WHERE code = @Code";

    /// <summary>The project an invite code is for, whatever its state; null when no invite has that code.</summary>
    public static Task<long?> ProjectOfCodeAsync(IDbConnection connection, IDbTransaction transaction, string code) =>
        connection.ExecuteScalarAsync<long?>(SelectProjectOfCode, new { Code = code }, transaction);

    public static async Task<Redeemed?> RedeemAsync(IDbConnection connection, IDbTransaction transaction, string code, long chatId, DateTimeOffset now)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(long ProjectId, string Kind)?>(Redeem,
            new { Code = code, ChatId = chatId, Now = now.ToUnixTimeMilliseconds() }, transaction);
        return row is { } r ? new Redeemed(r.ProjectId, r.Kind == "team" ? InviteKind.Team : InviteKind.Single) : null;
    }

    /// <summary>Creates an invite valid for <paramref name="lifetime"/>; null when the project does not exist.</summary>
    public Task<Invite?> CreateAsync(long projectId, TimeSpan lifetime, InviteKind kind = InviteKind.Single, CancellationToken ct = default) =>
        database.WriteAsync((c, t) => CreateAsync(c, t, projectId, lifetime, kind, clock.GetUtcNow()), ct);

    public static async Task<Invite?> CreateAsync(IDbConnection c, IDbTransaction t, long projectId, TimeSpan lifetime, InviteKind kind, DateTimeOffset now)
    {
        var invite = new Invite(RandomNumberGenerator.GetString(Alphabet, CodeLength), projectId, kind, now + lifetime);
        var inserted = await c.ExecuteAsync(Insert, new
        {
            invite.Code,
            ProjectId = projectId,
            Now = now.ToUnixTimeMilliseconds(),
            ExpiresAt = invite.ExpiresAt.ToUnixTimeMilliseconds(),
            Kind = KindName(kind),
        }, t);
        return inserted == 1 ? invite : null;
    }

    /// <summary>The project's invites, newest first.</summary>
    public static async Task<IReadOnlyList<InviteState>> OfProjectAsync(IDbConnection connection, IDbTransaction? transaction, long projectId,
        DateTimeOffset now) =>
        (await connection.QueryAsync<InviteState>(SelectOfProject, new { ProjectId = projectId, Now = now.ToUnixTimeMilliseconds() }, transaction)).AsList();

    public async Task<IReadOnlyList<InviteState>> OfProjectAsync(long projectId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await OfProjectAsync(connection, null, projectId, clock.GetUtcNow());
    }

    /// <summary>Nobody can use the invite any more (chats already linked stay linked); false when there is no such
    /// invite of that project, or it was revoked already.</summary>
    private const string RevokeOpen = "UPDATE invites SET revoked_at = @Now WHERE project_id = @ProjectId AND expires_at > @Now AND revoked_at IS NULL";

    /// <summary>Revokes every invite of the project still open.</summary>
    public static Task RevokeOpenAsync(IDbConnection connection, IDbTransaction transaction, long projectId, DateTimeOffset now) =>
        connection.ExecuteAsync(RevokeOpen, new { ProjectId = projectId, Now = now.ToUnixTimeMilliseconds() }, transaction);

    public static async Task<bool> RevokeAsync(IDbConnection connection, IDbTransaction transaction, long projectId, string code, DateTimeOffset now) =>
        await connection.ExecuteAsync(Revoke, new { ProjectId = projectId, Code = code, Now = now.ToUnixTimeMilliseconds() }, transaction) == 1;

    public Task<bool> RevokeAsync(long projectId, string code, CancellationToken ct = default) =>
        database.WriteAsync((c, t) => RevokeAsync(c, t, projectId, code, clock.GetUtcNow()), ct);

    public static string KindName(InviteKind kind) => kind == InviteKind.Team ? "team" : "single";
}
