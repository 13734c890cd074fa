using System.Reflection;
using Dapper;
using Microsoft.Extensions.Logging;

namespace AgencyBot.Core.Data;

/// <summary>Applies the numbered scripts embedded under Data/Migrations, each once, in order.</summary>
public sealed class Migrator(Database database, ILogger<Migrator> logger)
{
    private const string CreateLedger = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT    NOT NULL,
            applied_at INTEGER NOT NULL
        );
        """;

    private const string AppliedVersions = "SELECT version FROM schema_migrations";

    private const string RecordVersion = """
        INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt)
        """;

    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await using (var connection = await database.OpenAsync(ct))
        {
            // WAL is a property of the file, so setting it once here is enough for every later connection.
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
            await connection.ExecuteAsync(CreateLedger);
        }

        foreach (var script in Scripts())
        {
            var applied = await database.WriteAsync(async (connection, transaction) =>
            {
                var versions = (await connection.QueryAsync<long>(AppliedVersions, transaction: transaction)).ToHashSet();
                if (versions.Contains(script.Version)) return false;
                await connection.ExecuteAsync(script.Sql, transaction: transaction);
                await connection.ExecuteAsync(RecordVersion,
                    new { script.Version, script.Name, AppliedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, transaction);
                return true;
            }, ct);
            if (applied) logger.LogInformation("Applied migration {Version} {Name}", script.Version, script.Name);
        }
    }

    internal static IReadOnlyList<(long Version, string Name, string Sql)> Scripts()
    {
        var assembly = typeof(Migrator).Assembly;
        const string prefix = "AgencyBot.Core.Data.Migrations.";
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
