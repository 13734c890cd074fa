using Microsoft.Data.Sqlite;

namespace AgencyBot.Core.Data;

public sealed record BackupResult(string Path, long Bytes, string IntegrityCheck);

/// <summary>A consistent copy of the database while the service runs (SQLite's VACUUM INTO), checked with
/// integrity_check before it is reported.</summary>
public sealed class Backup(Database database, TimeProvider clock)
{
    public async Task<BackupResult> WriteAsync(string folder, CancellationToken ct = default)
    {
        Directory.CreateDirectory(folder);
        var path = Path.GetFullPath(Path.Combine(folder, $"agencybot-{clock.GetUtcNow():yyyyMMdd-HHmmss}.db"));
        if (File.Exists(path)) File.Delete(path);
        await using (var connection = await database.OpenAsync(ct))
            await connection.ExecuteAsync("VACUUM INTO @Path", new { Path = path });

        await using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await copy.OpenAsync(ct);
        var check = await copy.ExecuteScalarAsync<string>("PRAGMA integrity_check") ?? "no answer";
        return new BackupResult(path, new FileInfo(path).Length, check);
    }
}
