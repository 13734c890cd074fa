using AgencyBot.Core.Data;

namespace AgencyBot.Core.Clients;

public sealed record Client(long Id, string Name);

public sealed class ClientStore(Database database, TimeProvider clock)
{
    private const string Insert = """
        INSERT INTO clients (name, created_at) VALUES (@Name, @Now) RETURNING id
        """;

    private const string SelectAll = "SELECT id AS Id, name AS Name FROM clients ORDER BY id";

    private const string SelectById = "SELECT id AS Id, name AS Name FROM clients WHERE id = @Id";

    public async Task<Client> AddAsync(string name, CancellationToken ct = default)
    {
        var id = await database.WriteAsync((c, t) => c.ExecuteScalarAsync<long>(Insert,
            new { Name = name, Now = clock.GetUtcNow().ToUnixTimeMilliseconds() }, t), ct);
        return new Client(id, name);
    }

    public async Task<IReadOnlyList<Client>> ListAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<Client>(SelectAll)).AsList();
    }

    public async Task<Client?> FindAsync(long id, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Client>(SelectById, new { Id = id });
    }
}
