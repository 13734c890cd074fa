using System.Reflection;

namespace AgencyBot.Core.Data;

/// <summary>A migration that does not live in this assembly (Quartz's own tables, say).</summary>
public sealed record MigrationScript(DatabaseProvider Provider, long Version, string Name, string Sql);

/// <summary>Applies the numbered scripts embedded under Data/Migrations/{provider}, plus any registered
/// <see cref="MigrationScript"/>s, each once, in order. Each database keeps its own ledger. PostgreSQL starts at
/// 0006, everything SQLite had by then in one script; a later change to the stores' tables is a script per engine.</summary>
public sealed class Migrator(Database database, ILogger<Migrator> logger, IEnumerable<MigrationScript>? extra = null)
{
    private const string CreateLedger = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    BIGINT PRIMARY KEY,
            name       TEXT   NOT NULL,
            applied_at BIGINT NOT NULL
        );
        """;

    private const string AppliedVersions = "SELECT version FROM schema_migrations";

    private const string RecordVersion = """
        INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt)
        """;

    public async Task MigrateAsync(CancellationToken ct = default)
    {
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            // WAL is a property of the file, so setting it once here is enough for every later connection.
            await using var connection = await database.OpenAsync(ct);
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        }
        var scripts = Scripts(database.Provider)
            .Concat((extra ?? []).Where(s => s.Provider == database.Provider).Select(s => (s.Version, Name: $"{s.Version:0000}_{s.Name}", s.Sql)))
            .OrderBy(s => s.Version)
            .ToList();
        // The ledger knows versions, not names: a second script with a taken number would be skipped for good.
        if (scripts.GroupBy(s => s.Version).FirstOrDefault(g => g.Count() > 1) is { } clash)
            throw new InvalidOperationException($"Migrations {string.Join(" and ", clash.Select(s => s.Name))} share version {clash.Key}");
        // Every pending script in one transaction under the write lock: hosts starting together on one PostgreSQL
        // database take turns, a script that fails leaves the schema as it was (not half-way to the new version), and a
        // new database is made in one commit instead of one per script.
        var applied = await database.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(CreateLedger, transaction: transaction);
            var versions = (await connection.QueryAsync<long>(AppliedVersions, transaction: transaction)).ToHashSet();
            var pending = scripts.Where(s => !versions.Contains(s.Version)).ToList();
            foreach (var script in pending)
            {
                await connection.ExecuteAsync(script.Sql, transaction: transaction);
                await connection.ExecuteAsync(RecordVersion,
                    new { script.Version, script.Name, AppliedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, transaction);
            }
            return pending;
        }, ct);
        foreach (var script in applied) logger.LogInformation("Applied migration {Version} {Name}", script.Version, script.Name);
    }

    internal static IReadOnlyList<(long Version, string Name, string Sql)> Scripts(DatabaseProvider provider)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"AgencyBot.Core.Data.Migrations.{provider}.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var name = n[prefix.Length..^".sql".Length];
                var version = long.Parse(name.Split('_')[0].TrimStart('_'), System.Globalization.CultureInfo.InvariantCulture);
                return (version, name, Read(assembly, n));
            })
            .OrderBy(s => s.version)
            .ToList();
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
