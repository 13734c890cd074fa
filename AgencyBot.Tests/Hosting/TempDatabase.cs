using AgencyBot.Core.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgencyBot.Tests.Hosting;

/// <summary>A real SQLite file in a fresh temp folder, removed afterwards.</summary>
public sealed class TempDatabase : IAsyncDisposable
{
    private TempDatabase(string folder)
    {
        Folder = folder;
        Path = System.IO.Path.Combine(folder, "agencybot.db");
        ConnectionString = $"Data Source={Path}";
        Database = new Database(ConnectionString);
    }

    public string Folder { get; }
    public string Path { get; }
    public string ConnectionString { get; }
    public Database Database { get; }

    /// <summary>A new empty database file (not migrated).</summary>
    public static TempDatabase Create()
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "agencybot-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return new TempDatabase(folder);
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

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { /* a killed host may still hold the file for a moment; temp is cleaned anyway */ }
        return ValueTask.CompletedTask;
    }
}
