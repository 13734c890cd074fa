using AgencyBot.Core.Data;
using Dapper;

namespace AgencyBot.Core.Staff;

public enum StaffRole { Assistant, Employee, Manager }

public sealed record StaffMember(long Id, long TelegramUserId, string Name, StaffRole Role);

public sealed class StaffStore(Database database, TimeProvider clock)
{
    private const string Insert = """
        INSERT INTO staff (telegram_user_id, name, role, created_at)
        VALUES (@TelegramUserId, @Name, @Role, @Now)
        ON CONFLICT (telegram_user_id) DO NOTHING
        RETURNING id
        """;

    private const string SelectAll = """
        SELECT id AS Id, telegram_user_id AS TelegramUserId, name AS Name, role AS Role
        FROM staff ORDER BY id
        """;

    private const string SelectByUser = """
        SELECT id AS Id, telegram_user_id AS TelegramUserId, name AS Name, role AS Role
        FROM staff WHERE telegram_user_id = @TelegramUserId
        """;

    private const string Exists = "SELECT COUNT(*) FROM staff WHERE id = @Id";

    private const string StartedBot = "SELECT started_bot FROM staff WHERE id = @Id";

    /// <summary>Whether the staff member ever opened a private chat with the bot (only then may it write to them).</summary>
    public static async Task<bool> StartedBotAsync(System.Data.IDbConnection connection, System.Data.IDbTransaction? transaction, long id) =>
        await connection.ExecuteScalarAsync<long>(StartedBot, new { Id = id }, transaction) == 1;

    public static async Task<bool> ExistsAsync(System.Data.IDbConnection connection, System.Data.IDbTransaction? transaction, long id) =>
        await connection.ExecuteScalarAsync<long>(Exists, new { Id = id }, transaction) == 1;

    public async Task<bool> ExistsAsync(long id, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await ExistsAsync(connection, null, id);
    }

    /// <summary>Registers a staff member; null when that Telegram user is already registered.</summary>
    public async Task<StaffMember?> AddAsync(long telegramUserId, string name, StaffRole role, CancellationToken ct = default)
    {
        var id = await database.WriteAsync((c, t) => c.ExecuteScalarAsync<long?>(Insert, new
        {
            TelegramUserId = telegramUserId,
            Name = name,
            Role = role.ToString().ToLowerInvariant(),
            Now = clock.GetUtcNow().ToUnixTimeMilliseconds(),
        }, t), ct);
        return id is null ? null : new StaffMember(id.Value, telegramUserId, name, role);
    }

    public async Task<IReadOnlyList<StaffMember>> ListAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<StaffRow>(SelectAll)).Select(r => r.ToMember()).ToList();
    }

    public async Task<StaffMember?> FindByTelegramUserAsync(long telegramUserId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await FindByTelegramUserAsync(connection, null, telegramUserId);
    }

    public static async Task<StaffMember?> FindByTelegramUserAsync(System.Data.IDbConnection connection, System.Data.IDbTransaction? transaction, long telegramUserId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<StaffRow>(SelectByUser, new { TelegramUserId = telegramUserId }, transaction);
        return row?.ToMember();
    }

    private sealed record StaffRow(long Id, long TelegramUserId, string Name, string Role)
    {
        public StaffMember ToMember() => new(Id, TelegramUserId, Name, Enum.Parse<StaffRole>(Role, ignoreCase: true));
    }
}
