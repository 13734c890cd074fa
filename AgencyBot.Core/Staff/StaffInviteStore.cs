using System.Security.Cryptography;

namespace AgencyBot.Core.Staff;

/// <summary>A staff link as the agency sees it: for which role, by whom, and whether it can still be used.</summary>
public sealed record StaffInviteState
{
    public string Code { get; init; } = "";
    public string Role { get; init; } = "";
    public bool Owner { get; init; }
    public long? CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public long? UsedByStaffId { get; init; }
    public DateTimeOffset? UsedAt { get; init; }
    /// <summary>open, used, expired, revoked, or void (an owner link once someone is staff).</summary>
    public string State { get; init; } = "";
}

/// <summary>What opening a staff link gave: the role, and whether it was the owner link (the first manager).</summary>
public sealed record StaffInviteRedeemed(string Code, StaffRole Role, bool Owner, long? CreatedBy);

/// <summary>
/// Links that make a Telegram user staff without anyone typing a numeric id: t.me/&lt;bot&gt;?start=staff-&lt;code&gt;.
/// The owner link makes the first manager and works only while nobody is staff; a manager's link works only while
/// that manager is still an active manager. Each works once: the first person to open it spends it.
/// </summary>
public static class StaffInviteStore
{
    /// <summary>The deep-link payload's prefixes (payloads allow A-Z, a-z, 0-9, _ and -, at most 64 characters).</summary>
    public const string StaffPrefix = "staff-", OwnerPrefix = "owner-";

    /// <summary>The /start payload of a link; the code alone decides what it gives, the prefix only routes it.</summary>
    public static string Payload(string code, bool owner) => (owner ? OwnerPrefix : StaffPrefix) + code;

    /// <summary>The code in a /start payload, when it is a staff link's.</summary>
    public static string? CodeOf(string payload) =>
        payload.StartsWith(StaffPrefix, StringComparison.Ordinal) || payload.StartsWith(OwnerPrefix, StringComparison.Ordinal) ? payload[6..] : null;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int CodeLength = 24;

    private const string Insert = """
        INSERT INTO staff_invites (code, role, owner, created_by, created_at, expires_at)
        VALUES (@Code, @Role, @Owner, @CreatedBy, @Now, @ExpiresAt)
        """;

    private const string SelectOpenOwner = """
        SELECT code FROM staff_invites
        WHERE owner = 1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > @Now ORDER BY created_at DESC LIMIT 1
        """;

    private const string AnyStaff = "SELECT COUNT(*) FROM staff";

    // One statement decides: a second opener, a revoked or expired link, an owner link once someone is staff, or a
    // link of a manager who has left all find nothing to update.
    private const string Redeem = """
        UPDATE staff_invites SET used_at = @Now
        WHERE code = @Code AND used_at IS NULL AND revoked_at IS NULL AND expires_at > @Now
          AND ((owner = 1 AND NOT EXISTS (SELECT 1 FROM staff))
            OR (owner = 0 AND (created_by IS NULL
                OR EXISTS (SELECT 1 FROM staff s WHERE s.id = staff_invites.created_by AND s.active = 1 AND s.role = 'manager'))))
        RETURNING code AS Code, role AS Role, owner AS Owner, created_by AS CreatedBy
        """;

    private const string RecordUser = "UPDATE staff_invites SET used_by_staff_id = @StaffId WHERE code = @Code";

    private const string SelectAll = """
        SELECT code AS Code, role AS Role, owner AS Owner, created_by AS CreatedBy, created_at AS CreatedAt, expires_at AS ExpiresAt,
               used_by_staff_id AS UsedByStaffId, used_at AS UsedAt,
               CASE WHEN revoked_at IS NOT NULL THEN 'revoked' WHEN used_at IS NOT NULL THEN 'used'
                    WHEN expires_at <= @Now THEN 'expired' WHEN owner = 1 AND EXISTS (SELECT 1 FROM staff) THEN 'void' ELSE 'open' END AS State
        FROM staff_invites ORDER BY created_at DESC, code
        """;

    private const string Revoke = "UPDATE staff_invites SET revoked_at = @Now WHERE code = @Code AND used_at IS NULL AND revoked_at IS NULL";

    /// <summary>A new link for <paramref name="role"/>, made by the manager <paramref name="createdBy"/> (null: the admin
    /// API); its code.</summary>
    public static async Task<string> CreateAsync(IDbConnection c, IDbTransaction t, StaffRole role, long? createdBy, DateTimeOffset now, TimeSpan lifetime)
    {
        var code = RandomNumberGenerator.GetString(Alphabet, CodeLength);
        await c.ExecuteAsync(Insert, new
        {
            Code = code, Role = StaffStore.RoleName(role), Owner = 0, CreatedBy = createdBy,
            Now = now.ToUnixTimeMilliseconds(), ExpiresAt = (now + lifetime).ToUnixTimeMilliseconds(),
        }, t);
        return code;
    }

    /// <summary>The owner link's code while nobody is staff (the open one, or a new one); null once someone is.</summary>
    public static async Task<(string Code, bool Created)?> OwnerLinkAsync(IDbConnection c, IDbTransaction t, DateTimeOffset now, TimeSpan lifetime)
    {
        if (await c.ExecuteScalarAsync<long>(AnyStaff, transaction: t) > 0) return null;
        if (await c.ExecuteScalarAsync<string?>(SelectOpenOwner, new { Now = now.ToUnixTimeMilliseconds() }, t) is { } open) return (open, false);
        var code = RandomNumberGenerator.GetString(Alphabet, CodeLength);
        await c.ExecuteAsync(Insert, new
        {
            Code = code, Role = StaffStore.RoleName(StaffRole.Manager), Owner = 1, CreatedBy = (long?)null,
            Now = now.ToUnixTimeMilliseconds(), ExpiresAt = (now + lifetime).ToUnixTimeMilliseconds(),
        }, t);
        return (code, true);
    }

    /// <summary>Spends the link: what it gives, or null when it cannot be used (unknown, used, expired, revoked, an owner
    /// link after the first manager, or its manager left).</summary>
    public static async Task<StaffInviteRedeemed?> RedeemAsync(IDbConnection c, IDbTransaction t, string code, DateTimeOffset now)
    {
        var row = await c.QuerySingleOrDefaultAsync<RedeemedRow>(Redeem, new { Code = code, Now = now.ToUnixTimeMilliseconds() }, t);
        return row is null ? null : new StaffInviteRedeemed(row.Code, Enum.Parse<StaffRole>(row.Role, ignoreCase: true), row.Owner, row.CreatedBy);
    }

    /// <summary>Who the spent link made staff.</summary>
    public static Task RecordUserAsync(IDbConnection c, IDbTransaction t, string code, long staffId) =>
        c.ExecuteAsync(RecordUser, new { Code = code, StaffId = staffId }, t);

    public static async Task<IReadOnlyList<StaffInviteState>> ListAsync(IDbConnection c, IDbTransaction? t, DateTimeOffset now) =>
        (await c.QueryAsync<StateRow>(SelectAll, new { Now = now.ToUnixTimeMilliseconds() }, t)).Select(r => r.ToState()).ToList();

    /// <summary>Nobody can use the link any more; false when it was used or revoked already, or does not exist.</summary>
    public static async Task<bool> RevokeAsync(IDbConnection c, IDbTransaction t, string code, DateTimeOffset now) =>
        await c.ExecuteAsync(Revoke, new { Code = code, Now = now.ToUnixTimeMilliseconds() }, t) == 1;

    private sealed record RedeemedRow
    {
        public string Code { get; init; } = "";
        public string Role { get; init; } = "";
        public bool Owner { get; init; }
        public long? CreatedBy { get; init; }
    }

    private sealed record StateRow
    {
        public string Code { get; init; } = "";
        public string Role { get; init; } = "";
        public bool Owner { get; init; }
        public long? CreatedBy { get; init; }
        public long CreatedAt { get; init; }
        public long ExpiresAt { get; init; }
        public long? UsedByStaffId { get; init; }
        public long? UsedAt { get; init; }
        public string State { get; init; } = "";

        public StaffInviteState ToState() => new()
        {
            Code = Code, Role = Role, Owner = Owner, CreatedBy = CreatedBy, CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
            ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(ExpiresAt), UsedByStaffId = UsedByStaffId,
            UsedAt = UsedAt is { } used ? DateTimeOffset.FromUnixTimeMilliseconds(used) : null, State = State,
        };
    }
}
