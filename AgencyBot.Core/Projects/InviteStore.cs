using System.Security.Cryptography;
using AgencyBot.Core.Data;
using Dapper;

namespace AgencyBot.Core.Projects;

public sealed record Invite(string Code, long ProjectId, DateTimeOffset ExpiresAt);

/// <summary>Invite codes a client opens as t.me/&lt;bot&gt;?start=&lt;code&gt; to bind a chat to a project.</summary>
public sealed class InviteStore(Database database, TimeProvider clock)
{
    // Deep-link payloads allow A-Z, a-z, 0-9, _ and -; 20 characters from 62 is ~119 bits.
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int CodeLength = 20;

    private const string Insert = """
        INSERT INTO invites (code, project_id, created_at, expires_at)
        SELECT @Code, id, @Now, @ExpiresAt FROM projects WHERE id = @ProjectId
        """;

    private const string Redeem = """
        UPDATE invites SET used_by_chat_id = @ChatId, used_at = @Now
        WHERE code = @Code AND expires_at > @Now
        RETURNING project_id
        """;

    /// <summary>Uses an invite for a chat; the project it opens, or null when the code is unknown or expired.
    /// A code stays valid until it expires, so a client can link both a private chat and a group with it.</summary>
    public static Task<long?> RedeemAsync(System.Data.IDbConnection connection, System.Data.IDbTransaction transaction, string code, long chatId, DateTimeOffset now) =>
        connection.ExecuteScalarAsync<long?>(Redeem, new { Code = code, ChatId = chatId, Now = now.ToUnixTimeMilliseconds() }, transaction);

    /// <summary>Creates an invite valid for <paramref name="lifetime"/>; null when the project does not exist.</summary>
    public async Task<Invite?> CreateAsync(long projectId, TimeSpan lifetime, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var invite = new Invite(RandomNumberGenerator.GetString(Alphabet, CodeLength), projectId, now + lifetime);
        var inserted = await database.WriteAsync((c, t) => c.ExecuteAsync(Insert, new
        {
            invite.Code,
            ProjectId = projectId,
            Now = now.ToUnixTimeMilliseconds(),
            ExpiresAt = invite.ExpiresAt.ToUnixTimeMilliseconds(),
        }, t), ct);
        return inserted == 1 ? invite : null;
    }
}
