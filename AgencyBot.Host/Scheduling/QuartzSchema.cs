using AgencyBot.Core.Data;
using Quartz;

namespace AgencyBot.Host.Scheduling;

/// <summary>
/// Quartz's tables on PostgreSQL, applied as migration 0007. The script is the one Quartz ships inside its own
/// assembly for the version we run (what AdoJobStore would run for itself), so the schema always matches the
/// job store; running it from the migrations means hosts starting together take turns under the migration lock
/// instead of racing to create tables. A Quartz upgrade that changes its schema needs a migration of its own.
/// </summary>
internal static class QuartzSchema
{
    public const string TablePrefix = "qrtz_";
    private const string Resource = "Quartz.Impl.AdoJobStore.Schema.create_postgres.sql";

    public static MigrationScript Postgres()
    {
        using var stream = typeof(IScheduler).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"This Quartz version does not carry {Resource}; write migration 0007 by hand from its tables_postgres.sql");
        using var reader = new StreamReader(stream);
        // {0} is the table prefix, {1} the same without a schema qualifier (for index names).
        var sql = reader.ReadToEnd().Replace("{0}", TablePrefix, StringComparison.Ordinal).Replace("{1}", TablePrefix, StringComparison.Ordinal);
        return new MigrationScript(DatabaseProvider.Postgres, 7, "quartz", sql);
    }
}
