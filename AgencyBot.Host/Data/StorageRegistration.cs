using AgencyBot.Core.Clients;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Data;
using AgencyBot.Core.Inbox;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Staff;
using AgencyBot.Core.Tasks;
using AgencyBot.Host.Settings;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Data;

public static class StorageRegistration
{
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
        services.AddSingleton<InboxStore>();
        services.AddSingleton<OutboxStore>();
        services.AddSingleton<StaffStore>();
        services.AddSingleton<ClientStore>();
        services.AddSingleton<ProjectStore>();
        services.AddSingleton<InviteStore>();
        services.AddSingleton<ChatBindingStore>();
        services.AddSingleton<ConversationStore>();
        services.AddSingleton<ResponseTimes>();
        services.AddSingleton<TaskStore>();
        services.AddSingleton<TeamStore>();
        services.AddSingleton<TemplateStore>();
        services.AddSingleton<AgencyBot.Core.TimeTracking.TimeEntryStore>();
        services.AddSingleton<AgencyBot.Core.Messaging.AttachmentStore>();
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
