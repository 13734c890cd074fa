using AgencyBot.Core.Data;
using AgencyBot.Host.Settings;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Data;

public static class StorageRegistration
{
    /// <summary>The database (SQLite or PostgreSQL, from Database:*), its migrations on start, and backups.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var database = new Database(Anchored(options, sp.GetRequiredService<IHostEnvironment>().ContentRootPath), options.Provider);
            database.Committed += sp.GetRequiredService<OutboxSignal>().Notify;
            return database;
        });
        services.AddSingleton<Migrator>();
        services.AddSingleton<Backup>();
        // First hosted service: the schema is in place before intake, processing and the API start.
        services.AddHostedService<MigrationService>();
        return services;
    }

    /// <summary>A relative SQLite file is under the content root (the Host's folder under <c>dotnet run</c>, /app in the
    /// container), wherever the process was started from.</summary>
    private static string Anchored(DatabaseOptions options, string contentRoot)
    {
        if (options.Provider != DatabaseProvider.Sqlite) return options.ConnectionString;
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && !Path.IsPathRooted(file) && !file.StartsWith("file:", StringComparison.Ordinal))
            builder.DataSource = Path.Combine(contentRoot, file);
        return builder.ConnectionString;
    }
}

internal sealed class MigrationService(Database database, Migrator migrator, ILogger<MigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            // SQLite creates the file but not its folder (the default is data/agencybot.db).
            var file = new SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
            var folder = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(folder) && file != ":memory:") Directory.CreateDirectory(folder);
            logger.LogInformation("Database: SQLite file {File}", Path.GetFullPath(file));
        }
        await migrator.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
