using AgencyBot.Core.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AgencyBot.Tests.Hosting;

/// <summary>
/// A fresh database for one test, removed afterwards: a real SQLite file in a temp folder, or, when
/// AGENCYBOT_TEST_POSTGRES holds a connection string to a PostgreSQL server, a new database on that server
/// (the whole suite then runs on PostgreSQL). Either way the temp folder is there for the host's other files.
/// </summary>
public sealed class TempDatabase : IAsyncDisposable
{
    /// <summary>Connection string of a PostgreSQL server (a role allowed to create databases), or unset for SQLite.</summary>
    public const string PostgresVariable = "AGENCYBOT_TEST_POSTGRES";

    private readonly string? _postgresName;

    private TempDatabase(string folder, string? postgresServer)
    {
        Folder = folder;
        Path = System.IO.Path.Combine(folder, "agencybot.db");
        if (postgresServer is null)
        {
            Provider = DatabaseProvider.Sqlite;
            ConnectionString = $"Data Source={Path}";
        }
        else
        {
            Provider = DatabaseProvider.Postgres;
            _postgresName = "agencybot_test_" + System.IO.Path.GetFileName(folder);
            using (var server = new NpgsqlConnection(postgresServer))
            {
                server.Open();
                server.Execute($"CREATE DATABASE {_postgresName}");
            }
            ConnectionString = new NpgsqlConnectionStringBuilder(postgresServer) { Database = _postgresName }.ConnectionString;
        }
        Database = new Database(ConnectionString, Provider);
    }

    public static string? PostgresServer => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } server ? server : null;

    public static bool OnPostgres => PostgresServer is not null;

    /// <summary>Skips a test that only means something with several hosts on one PostgreSQL database.</summary>
    public static void RequirePostgres()
    {
        if (!OnPostgres) Assert.Ignore($"Needs PostgreSQL: set {PostgresVariable} (.ci/run does).");
    }

    public string Folder { get; }
    /// <summary>The SQLite file (when on SQLite).</summary>
    public string Path { get; }
    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }
    public Database Database { get; }

    /// <summary>A new empty database (not migrated).</summary>
    public static TempDatabase Create()
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "agencybot-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return new TempDatabase(folder, PostgresServer);
    }

    /// <summary>A new database with the schema applied.</summary>
    public static async Task<TempDatabase> CreateMigratedAsync()
    {
        var db = Create();
        await new Migrator(db.Database, NullLogger<Migrator>.Instance).MigrateAsync();
        return db;
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Database.OpenAsync();
        return await connection.ExecuteScalarAsync<T>(sql, parameters) ?? throw new InvalidOperationException($"No result for {sql}");
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Database.OpenAsync();
        return (await connection.QueryAsync<T>(sql, parameters)).AsList();
    }

    public async Task ExecuteAsync(string sql, object? parameters = null)
    {
        await using var connection = await Database.OpenAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        if (_postgresName is not null)
        {
            await using var server = new NpgsqlConnection(PostgresServer);
            await server.OpenAsync();
            // FORCE: a killed host's connections may not be gone yet. It cannot end the server's own autovacuum worker
            // (42501) or a session that is just ending (55006): a moment later it can.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await server.ExecuteAsync($"DROP DATABASE IF EXISTS {_postgresName} WITH (FORCE)");
                    break;
                }
                catch (PostgresException ex) when (ex.SqlState is "42501" or "55006" && attempt < 10)
                {
                    await Task.Delay(200 * attempt);
                }
            }
        }
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { /* a killed host may still hold the file for a moment; temp is cleaned anyway */ }
    }
}
