using AgencyBot.Core.Data;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgencyBot.Tests.Data;

public sealed class MigratorTests
{
    [Test]
    public async Task Migrate_OnEmptyFile_AppliesEveryScriptOnce_InWalMode()
    {
        await using var db = TempDatabase.Create();
        var migrator = new Migrator(db.Database, NullLogger<Migrator>.Instance);

        await migrator.MigrateAsync();
        await migrator.MigrateAsync();

        var versions = await db.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version");
        Assert.Multiple(async () =>
        {
            Assert.That(versions, Is.EqualTo(Migrator.Scripts().Select(s => s.Version)));
            Assert.That(versions, Is.Unique);
            Assert.That(await db.ScalarAsync<string>("PRAGMA journal_mode"), Is.EqualTo("wal"));
        });
    }

    [Test]
    public async Task Migrate_CreatesTheFoundationTables()
    {
        await using var db = await TempDatabase.CreateMigratedAsync();

        var tables = await db.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'");

        Assert.That(tables, Is.SupersetOf(new[] { "staff", "clients", "projects", "chat_bindings", "invites", "inbox", "outbox" }));
    }

    [Test]
    public void Scripts_AreNumberedWithoutGaps()
    {
        var versions = Migrator.Scripts().Select(s => s.Version).ToList();

        Assert.That(versions, Is.EqualTo(Enumerable.Range(1, versions.Count).Select(v => (long)v)));
    }
}
