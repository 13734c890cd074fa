using AgencyBot.Core.Data;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgencyBot.Tests.Data;

public sealed class MigratorTests
{
    [Test]
    public async Task Migrate_OnEmptyDatabase_AppliesEveryScriptOnce()
    {
        await using var db = TempDatabase.Create();
        var migrator = new Migrator(db.Database, NullLogger<Migrator>.Instance);

        await migrator.MigrateAsync();
        await migrator.MigrateAsync();

        var versions = await db.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version");
        Assert.Multiple(async () =>
        {
            Assert.That(versions, Is.EqualTo(Migrator.Scripts(db.Provider).Select(s => s.Version)));
            Assert.That(versions, Is.Unique);
            if (db.Provider == DatabaseProvider.Sqlite)
                Assert.That(await db.ScalarAsync<string>("PRAGMA journal_mode"), Is.EqualTo("wal"));
        });
    }

    [Test]
    public async Task Migrate_WithTwoScriptsOfOneVersion_RefusesToStart_RatherThanSkipOne()
    {
        await using var db = TempDatabase.Create();
        var taken = Migrator.Scripts(db.Provider)[^1];
        var migrator = new Migrator(db.Database, NullLogger<Migrator>.Instance,
            [new MigrationScript(db.Provider, taken.Version, "clash", "SELECT 1")]);

        await Assert.ThatAsync(() => migrator.MigrateAsync(), Throws.InvalidOperationException.With.Message.Contains($"share version {taken.Version}"));
    }

    [Test]
    public async Task Migrate_WhenALaterScriptFails_LeavesTheSchemaAsItWas_AndTheNextStartAppliesAll()
    {
        await using var db = TempDatabase.Create();
        var next = Migrator.Scripts(db.Provider)[^1].Version + 1;
        var broken = new Migrator(db.Database, NullLogger<Migrator>.Instance,
        [
            new MigrationScript(db.Provider, next, "fine", "CREATE TABLE migrated_fine (id BIGINT PRIMARY KEY)"),
            new MigrationScript(db.Provider, next + 1, "broken", "ALTER TABLE no_such_table ADD COLUMN x BIGINT"),
        ]);

        await Assert.ThatAsync(() => broken.MigrateAsync(), Throws.Exception);
        var ledgerAfterFailure = await db.ScalarAsync<long>(db.Provider == DatabaseProvider.Sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('schema_migrations', 'migrated_fine', 'inbox')"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('schema_migrations', 'migrated_fine', 'inbox')");
        await new Migrator(db.Database, NullLogger<Migrator>.Instance,
            [new MigrationScript(db.Provider, next, "fine", "CREATE TABLE migrated_fine (id BIGINT PRIMARY KEY)")]).MigrateAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(ledgerAfterFailure, Is.Zero, "nothing of the failed start remains: no ledger, no table of an earlier script");
            Assert.That(await db.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version"),
                Is.EqualTo(Migrator.Scripts(db.Provider).Select(s => s.Version).Append(next)));
        });
    }

    [Test]
    public async Task Migrate_CreatesTheFoundationTables()
    {
        await using var db = await TempDatabase.CreateMigratedAsync();

        var tables = await db.QueryAsync<string>(db.Provider == DatabaseProvider.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");

        Assert.That(tables, Is.SupersetOf(new[] { "staff", "clients", "projects", "chat_bindings", "invites", "inbox", "outbox" }));
    }

    [Test]
    public async Task Migrate_FromTwoHostsAtOnce_AppliesEachScriptOnce()
    {
        await using var db = TempDatabase.Create();

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => new Migrator(db.Database, NullLogger<Migrator>.Instance).MigrateAsync()));

        var versions = await db.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version");
        Assert.That(versions, Is.EqualTo(Migrator.Scripts(db.Provider).Select(s => s.Version)));
    }

    [Test]
    public void Scripts_AreNumberedWithoutGaps()
    {
        var versions = Migrator.Scripts(DatabaseProvider.Sqlite).Select(s => s.Version).ToList();

        Assert.That(versions, Is.EqualTo(Enumerable.Range(1, versions.Count).Select(v => (long)v)));
    }

    [Test]
    public void PostgresScripts_StartAtTheSqliteSchemaTheyReproduce_AndKeepUpWithIt()
    {
        var sqlite = Migrator.Scripts(DatabaseProvider.Sqlite).Select(s => s.Version).ToList();
        // 0007 on PostgreSQL is Quartz's own schema, registered by the host.
        var postgres = Migrator.Scripts(DatabaseProvider.Postgres).Select(s => s.Version).Append(AgencyBot.Host.Scheduling.QuartzSchema.Postgres().Version).Order().ToList();

        Assert.Multiple(() =>
        {
            Assert.That(postgres[0], Is.EqualTo(6), "0006 is the whole schema as SQLite had it after 0006");
            Assert.That(postgres, Is.EqualTo(Enumerable.Range(6, postgres.Count).Select(v => (long)v)));
            Assert.That(postgres[^1], Is.GreaterThanOrEqualTo(sqlite[^1]), "every SQLite migration has its PostgreSQL twin");
        });
    }
}
