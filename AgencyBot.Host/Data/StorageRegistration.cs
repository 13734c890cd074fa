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
            var database = new Database(options.ConnectionString, options.Provider);
            database.Committed += sp.GetRequiredService<OutboxSignal>().Notify;
            return database;
        });
        services.AddSingleton<Migrator>();
        services.AddSingleton<Backup>();
        // First hosted service: the schema is in place before intake, processing and the API start.
        services.AddHostedService<MigrationService>();
        return services;
    }
}

internal sealed class MigrationService(Database database, Migrator migrator) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            // SQLite creates the file but not its folder (the default is ./data/agencybot.db).
            var file = new SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
            var folder = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(folder) && file != ":memory:") Directory.CreateDirectory(folder);
        }
        await migrator.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
