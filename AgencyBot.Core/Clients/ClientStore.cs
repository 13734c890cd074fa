using AgencyBot.Core.Data;

namespace AgencyBot.Core.Clients;

/// <param name="Language">The language their invitation is written in (en, fr); null: English.</param>
/// <param name="Contact">Who at the client the invitation is for (a name, an email): it opens "Hello Anna!".</param>
/// <param name="ArchivedAt">Archived: kept with all its history, no longer offered for new projects.</param>
public sealed record Client(long Id, string Name, string? Language = null, string? Contact = null, DateTimeOffset? ArchivedAt = null);

/// <summary>The clients table: the companies the agency works for.</summary>
public sealed class ClientStore(Database database, TimeProvider clock)
{
    private const string Columns = "id AS Id, name AS Name, language AS Language, contact AS Contact, archived_at AS ArchivedAt";

    private const string Insert = """
        INSERT INTO clients (name, language, contact, created_at) VALUES (@Name, @Language, @Contact, @Now) RETURNING id
        """;

    private const string SelectAll = $"SELECT {Columns} FROM clients ORDER BY id";

    private const string SelectById = $"SELECT {Columns} FROM clients WHERE id = @Id";

    private const string SelectByName = $"SELECT {Columns} FROM clients WHERE LOWER(name) = LOWER(@Name) AND archived_at IS NULL ORDER BY id LIMIT 1";

    private const string SelectRecent = $"SELECT {Columns} FROM clients WHERE archived_at IS NULL ORDER BY created_at DESC, id DESC LIMIT @Limit";

    // "" clears a field; null leaves it.
    private const string Update = """
        UPDATE clients SET name = COALESCE(@Name, name),
                           language = CASE WHEN @Language = '' THEN NULL ELSE COALESCE(@Language, language) END,
                           contact = CASE WHEN @Contact = '' THEN NULL ELSE COALESCE(@Contact, contact) END,
                           archived_at = CASE WHEN @Archived = 1 THEN COALESCE(archived_at, @Now) WHEN @Archived = 0 THEN NULL ELSE archived_at END
        WHERE id = @Id
        """;

    public static async Task<Client> AddAsync(IDbConnection c, IDbTransaction t, string name, string? language, string? contact, DateTimeOffset now)
    {
        var id = await c.ExecuteScalarAsync<long>(Insert, new { Name = name, Language = language, Contact = contact, Now = now.ToUnixTimeMilliseconds() }, t);
        return new Client(id, name, language, contact);
    }

    public Task<Client> AddAsync(string name, CancellationToken ct = default) => AddAsync(name, null, null, ct);

    public Task<Client> AddAsync(string name, string? language, string? contact, CancellationToken ct = default) =>
        database.WriteAsync((c, t) => AddAsync(c, t, name, language, contact, clock.GetUtcNow()), ct);

    /// <summary>Renames, changes the language or contact of, archives (true) or brings back (false) a client; the
    /// client as it is now, or null when there is none.</summary>
    public static async Task<Client?> ChangeAsync(IDbConnection c, IDbTransaction t, long id, string? name, string? language, string? contact, bool? archived,
        DateTimeOffset now)
    {
        var changed = await c.ExecuteAsync(Update, new
        {
            Id = id, Name = name, Language = language, Contact = contact, Archived = archived is { } a ? Database.Flag(a) : (int?)null,
            Now = now.ToUnixTimeMilliseconds(),
        }, t);
        return changed == 1 ? await FindAsync(c, t, id) : null;
    }

    public async Task<IReadOnlyList<Client>> ListAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<Row>(SelectAll)).Select(r => r.ToClient()).ToList();
    }

    /// <summary>The clients not archived, newest first: the ones offered when a project is created.</summary>
    public static async Task<IReadOnlyList<Client>> RecentAsync(IDbConnection c, IDbTransaction? t, int limit) =>
        (await c.QueryAsync<Row>(SelectRecent, new { Limit = limit }, t)).Select(r => r.ToClient()).ToList();

    /// <summary>The client not archived with this name (any case): an import names clients, it does not number them.</summary>
    public static async Task<Client?> FindByNameAsync(IDbConnection c, IDbTransaction? t, string name) =>
        (await c.QuerySingleOrDefaultAsync<Row>(SelectByName, new { Name = name }, t))?.ToClient();

    public static async Task<Client?> FindAsync(IDbConnection c, IDbTransaction? t, long id) =>
        (await c.QuerySingleOrDefaultAsync<Row>(SelectById, new { Id = id }, t))?.ToClient();

    public async Task<Client?> FindAsync(long id, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await FindAsync(connection, null, id);
    }

    private sealed record Row
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string? Language { get; init; }
        public string? Contact { get; init; }
        public long? ArchivedAt { get; init; }

        public Client ToClient() => new(Id, Name, Language, Contact, ArchivedAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null);
    }
}
