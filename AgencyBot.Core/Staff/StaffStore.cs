using AgencyBot.Core.Data;
using AgencyBot.Core.Outbox;

namespace AgencyBot.Core.Staff;

public enum StaffRole { Assistant, Employee, Manager }

/// <summary>A registered staff member. Only an active one has staff powers; a deactivated one keeps their history.</summary>
public sealed record StaffMember(long Id, long TelegramUserId, string Name, StaffRole Role, bool Active = true)
{
    public string FirstName => Name.Split(' ')[0];
}

/// <summary>How to reach a staff member: privately when they started the bot (only then may it write to them).</summary>
public sealed record StaffContact
{
    public long Id { get; init; }
    public long TelegramUserId { get; init; }
    public string Name { get; init; } = "";
    public bool StartedBot { get; init; }
}

/// <summary>A staff member before and after a change.</summary>
public sealed record StaffChange(StaffMember Before, StaffMember After)
{
    public bool Deactivated => Before.Active && !After.Active;
}

/// <summary>The staff table and its history (staff_events): every registration, rename, role change and
/// (de)activation, with who made it.</summary>
public sealed class StaffStore(Database database, TimeProvider clock)
{
    private const string Columns = "id AS Id, telegram_user_id AS TelegramUserId, name AS Name, role AS Role, active AS Active";

    private const string Insert = """
        INSERT INTO staff (telegram_user_id, name, role, created_at)
        VALUES (@TelegramUserId, @Name, @Role, @Now)
        ON CONFLICT (telegram_user_id) DO NOTHING
        RETURNING id
        """;

    private const string SelectAll = $"SELECT {Columns} FROM staff ORDER BY id";

    private const string SelectById = $"SELECT {Columns} FROM staff WHERE id = @Id";

    // Staff powers: only an active member has them.
    private const string SelectActiveByUser = $"SELECT {Columns} FROM staff WHERE telegram_user_id = @TelegramUserId AND active = 1";

    private const string SelectActive = $"SELECT {Columns} FROM staff WHERE active = 1 ORDER BY name, id";

    private const string ActiveExists = "SELECT COUNT(*) FROM staff WHERE id = @Id AND active = 1";

    private const string StartedBot = "SELECT started_bot FROM staff WHERE id = @Id";

    private const string MarkStarted = "UPDATE staff SET started_bot = 1 WHERE id = @Id AND started_bot = 0";

    private const string SelectManagers = """
        SELECT id AS Id, telegram_user_id AS TelegramUserId, name AS Name, started_bot AS StartedBot
        FROM staff WHERE role = 'manager' AND active = 1 ORDER BY id
        """;

    private const string SelectContact = """
        SELECT id AS Id, telegram_user_id AS TelegramUserId, name AS Name, started_bot AS StartedBot FROM staff WHERE id = @Id
        """;

    private const string Update = """
        UPDATE staff SET name = COALESCE(@Name, name), role = COALESCE(@Role, role),
                         active = COALESCE(@Active, active),
                         deactivated_at = CASE WHEN @Active = 0 AND active = 1 THEN @Now WHEN @Active = 1 THEN NULL ELSE deactivated_at END
        WHERE id = @Id
        """;

    private const string InsertEvent = """
        INSERT INTO staff_events (staff_id, at, actor_id, kind, detail) VALUES (@StaffId, @Now, @ActorId, @Kind, @Detail)
        """;

    public static async Task<bool> StartedBotAsync(IDbConnection connection, IDbTransaction? transaction, long id) =>
        await connection.ExecuteScalarAsync<long>(StartedBot, new { Id = id }, transaction) == 1;

    /// <summary>They opened a private chat with the bot: from now on it may write to them there. True the first time.</summary>
    public static async Task<bool> MarkStartedBotAsync(IDbConnection connection, IDbTransaction transaction, long id) =>
        await connection.ExecuteAsync(MarkStarted, new { Id = id }, transaction) == 1;

    /// <summary>Whether an active staff member has this id (who may be given tasks and team roles).</summary>
    public static async Task<bool> ExistsAsync(IDbConnection connection, IDbTransaction? transaction, long id) =>
        await connection.ExecuteScalarAsync<long>(ActiveExists, new { Id = id }, transaction) == 1;

    public async Task<bool> ExistsAsync(long id, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await ExistsAsync(connection, null, id);
    }

    /// <summary>The active managers, with whether the bot may write to them privately.</summary>
    public static async Task<IReadOnlyList<StaffContact>> ManagersAsync(IDbConnection connection, IDbTransaction? transaction) =>
        (await connection.QueryAsync<StaffContact>(SelectManagers, transaction: transaction)).AsList();

    /// <summary>Tells every active manager privately (those who started the bot: Telegram lets a bot write only to
    /// them); returns how many were told.</summary>
    public static async Task<int> TellManagersAsync(IDbConnection connection, IDbTransaction transaction, OutboxStore outbox, string text)
    {
        var told = 0;
        foreach (var manager in await ManagersAsync(connection, transaction))
        {
            if (!manager.StartedBot) continue;
            await outbox.EnqueueAsync(connection, transaction, manager.TelegramUserId,
                new SendMessageRequest { ChatId = manager.TelegramUserId, Text = text });
            told++;
        }
        return told;
    }

    public static Task<StaffContact> ContactAsync(IDbConnection connection, IDbTransaction? transaction, long id) =>
        connection.QuerySingleAsync<StaffContact>(SelectContact, new { Id = id }, transaction);

    /// <summary>Every active staff member, by name.</summary>
    public static async Task<IReadOnlyList<StaffMember>> ActiveAsync(IDbConnection connection, IDbTransaction? transaction) =>
        (await connection.QueryAsync<StaffRow>(SelectActive, transaction: transaction)).Select(r => r.ToMember()).ToList();

    /// <summary>Registers a staff member; null when that Telegram user is already registered (active or not).</summary>
    public async Task<StaffMember?> AddAsync(long telegramUserId, string name, StaffRole role, CancellationToken ct = default) =>
        await database.WriteAsync((c, t) => RegisterAsync(c, t, telegramUserId, name, role, null, clock.GetUtcNow()), ct);

    /// <summary>Registers a staff member, recording who did it (null: the admin API or the owner link); null when that
    /// Telegram user is already registered (active or not).</summary>
    public static async Task<StaffMember?> RegisterAsync(IDbConnection c, IDbTransaction t, long telegramUserId, string name, StaffRole role,
        long? actorId, DateTimeOffset now)
    {
        var at = now.ToUnixTimeMilliseconds();
        if (await c.ExecuteScalarAsync<long?>(Insert, new { TelegramUserId = telegramUserId, Name = name, Role = RoleName(role), Now = at }, t) is not { } id)
            return null;
        await c.ExecuteAsync(InsertEvent, new { StaffId = id, Now = at, ActorId = actorId, Kind = "registered", Detail = $"{RoleName(role)}: {name}" }, t);
        return new StaffMember(id, telegramUserId, name, role);
    }

    private const string SelectByUser = $"SELECT {Columns} FROM staff WHERE telegram_user_id = @TelegramUserId";

    /// <summary>The staff member with this Telegram id, active or not.</summary>
    public static async Task<StaffMember?> FindAnyByTelegramUserAsync(IDbConnection connection, IDbTransaction? transaction, long telegramUserId) =>
        (await connection.QuerySingleOrDefaultAsync<StaffRow>(SelectByUser, new { TelegramUserId = telegramUserId }, transaction))?.ToMember();

    /// <summary>
    /// Renames, changes the role of, deactivates or reactivates a staff member, recording each change. A deactivated
    /// member loses every staff power at once (every power checks <see cref="FindByTelegramUserAsync(IDbConnection, IDbTransaction?, long)"/>),
    /// and their history stays (<see cref="StaffChange.Deactivated"/> tells the caller to take them off teams). Null when there is no such member.
    /// </summary>
    public static async Task<StaffChange?> ChangeAsync(IDbConnection c, IDbTransaction t, long id, string? name, StaffRole? role, bool? active,
        long? actorId, DateTimeOffset now)
    {
        if (await FindAsync(c, t, id) is not { } before) return null;
        var at = now.ToUnixTimeMilliseconds();
        await c.ExecuteAsync(Update, new
        {
            Id = id, Name = name, Role = role is { } r ? RoleName(r) : null, Active = active is { } a ? Database.Flag(a) : (int?)null, Now = at,
        }, t);
        var after = (await FindAsync(c, t, id))!;
        async Task Record(string kind, string detail) =>
            await c.ExecuteAsync(InsertEvent, new { StaffId = id, Now = at, ActorId = actorId, Kind = kind, Detail = detail }, t);
        if (after.Name != before.Name) await Record("renamed", $"{before.Name} → {after.Name}");
        if (after.Role != before.Role) await Record("role", $"{RoleName(before.Role)} → {RoleName(after.Role)}");
        if (after.Active != before.Active) await Record(after.Active ? "reactivated" : "deactivated", after.Name);
        return new StaffChange(before, after);
    }

    public async Task<IReadOnlyList<StaffMember>> ListAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<StaffRow>(SelectAll)).Select(r => r.ToMember()).ToList();
    }

    public static async Task<StaffMember?> FindAsync(IDbConnection connection, IDbTransaction? transaction, long id) =>
        (await connection.QuerySingleOrDefaultAsync<StaffRow>(SelectById, new { Id = id }, transaction))?.ToMember();

    public async Task<StaffMember?> FindAsync(long id, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await FindAsync(connection, null, id);
    }

    /// <summary>The active staff member with this Telegram id: the one check behind every staff power.</summary>
    public static async Task<StaffMember?> FindByTelegramUserAsync(IDbConnection connection, IDbTransaction? transaction, long telegramUserId) =>
        (await connection.QuerySingleOrDefaultAsync<StaffRow>(SelectActiveByUser, new { TelegramUserId = telegramUserId }, transaction))?.ToMember();

    public async Task<StaffMember?> FindByTelegramUserAsync(long telegramUserId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await FindByTelegramUserAsync(connection, null, telegramUserId);
    }

    public static string RoleName(StaffRole role) => role.ToString().ToLowerInvariant();

    /// <summary>A role by its name (assistant, employee, manager), never by number.</summary>
    public static bool TryParseRole(string? text, out StaffRole role)
    {
        var name = text?.Trim().ToLowerInvariant();
        role = Enum.GetValues<StaffRole>().FirstOrDefault(r => RoleName(r) == name);
        return RoleName(role) == name;
    }

    // A property record: Dapper sets SQLite's 0/1 integers into bools through setters, not constructors.
    private sealed record StaffRow
    {
        public long Id { get; init; }
        public long TelegramUserId { get; init; }
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public bool Active { get; init; }

        public StaffMember ToMember() => new(Id, TelegramUserId, Name, Enum.Parse<StaffRole>(Role, ignoreCase: true), Active);
    }
}
