using System.Diagnostics;
using AgencyBot.Core.Agency;
using AgencyBot.Core.Data;
using AgencyBot.Core.Digest;
using AgencyBot.Core.Measurement;
using AgencyBot.Sandbox;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgencyBot.Bench;

/// <summary>Digest build time and memory on a month of a busy agency (200 projects, 1,000,000 messages, 50,000 time
/// entries), and the time to measure that month's communication time from its messages.</summary>
internal static class DigestBuild
{
    public static async Task<Figure[]> RunAsync(int projects, int messages, int timeEntries)
    {
        await using var telegram = await FakeBotApi.StartAsync();
        using var folder = new TempFolder();
        await using var host = new BenchHost(telegram, folder.ConnectionString, limitsOn: false,
            // Keep the scheduled digest and the hourly measurement out of the figures: both are run below.
            new() { ["Digest:Time"] = "23:59:00", ["TimeTracking:Measure:Enabled"] = "false" });
        host.Start();
        var database = host.Services.GetRequiredService<Database>();
        var today = host.Services.GetRequiredService<IOptions<AgencyOptions>>().Value.Today(TimeProvider.System);
        var seeding = Stopwatch.StartNew();
        await SeedAsync(database, today, projects, messages, timeEntries);
        Console.WriteLine($"digest: seeded {projects} projects, {messages} messages, {timeEntries} time entries in {seeding.Elapsed.TotalSeconds:0.0}s");

        var builder = host.Services.GetRequiredService<DigestBuilder>();
        await builder.BuildAsync(today); // warm-up: JIT, SQLite page cache, the chart library
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var digest = await builder.BuildAsync(today);
        var elapsed = clock.Elapsed;
        var allocatedMb = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (1024.0 * 1024);
        var workingSetMb = Process.GetCurrentProcess().WorkingSet64 / (1024.0 * 1024);
        Console.WriteLine($"digest: built in {elapsed.TotalMilliseconds:0} ms, {allocatedMb:0.0} MB allocated, {digest.Text.Length} characters, chart {(digest.Chart?.Length ?? 0) / 1024} KB");
        var detail = $"{projects} projects, {messages:N0} messages, {timeEntries:N0} time entries; text, agency and 4-week trend, PNG chart";

        var (measureMs, measureMb, measuredDays, sessions) = await MeasureMonthAsync(host.Services.GetRequiredService<MeasuredDays>(), database, today);
        Console.WriteLine($"measure: {measuredDays} days, {sessions} person-project-days in {measureMs:0} ms, {measureMb:0.0} MB allocated");
        var workingSetAfterMb = Process.GetCurrentProcess().WorkingSet64 / (1024.0 * 1024);
        return
        [
            new Figure("digest build time", elapsed.TotalMilliseconds, "ms", detail + " (warm)"),
            new Figure("digest build allocations", allocatedMb, "MB", detail),
            new Figure("working set after digest build", workingSetMb, "MB", "whole benchmark process, host included"),
            new Figure("measure a month", measureMs, "ms", $"{measuredDays} days of {messages:N0} messages, {projects} projects (read and model; warm)"),
            new Figure("measure a month allocations", measureMb, "MB", "the same"),
            new Figure("working set after measuring", workingSetAfterMb, "MB", "whole benchmark process, host included"),
        ];
    }

    /// <summary>Every day of the seeded month through the measurement (reading its messages, the session model).</summary>
    private static async Task<(double Ms, double AllocatedMb, int Days, int Results)> MeasureMonthAsync(MeasuredDays measured, Database database, DateOnly today)
    {
        var monthStart = new DateOnly(today.Year, today.Month, 1).AddMonths(today.Day == 1 ? -1 : 0);
        await using var connection = await database.OpenAsync();
        await measured.MeasureAsync(connection, null, monthStart); // warm-up
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var (days, results) = (0, 0);
        for (var day = monthStart; day < today; day = day.AddDays(1), days++)
            results += (await measured.MeasureAsync(connection, null, day)).Count;
        return (clock.Elapsed.TotalMilliseconds, (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (1024.0 * 1024), days, results);
    }

    private static async Task SeedAsync(Database database, DateOnly today, int projects, int messages, int timeEntries)
    {
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        var random = new Random(42);
        var monthStart = new DateOnly(today.Year, today.Month, 1).AddMonths(today.Day == 1 ? -1 : 0);
        var days = Math.Max(1, today.DayNumber - monthStart.DayNumber);
        var startMs = new DateTimeOffset(monthStart.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();

        Exec(connection, transaction, "INSERT INTO staff (id, telegram_user_id, name, role, created_at) VALUES (1, 1, 'Marie', 'assistant', 0), (2, 2, 'Paul', 'manager', 0)");
        for (var p = 1; p <= projects; p++)
        {
            Exec(connection, transaction, $"INSERT INTO clients (id, name, created_at) VALUES ({p}, 'Client {p}', 0)");
            Exec(connection, transaction, $"INSERT INTO projects (id, client_id, name, created_at) VALUES ({p}, {p}, 'Project {p}', 0)");
            for (var c = 0; c < 10; c++)
            {
                var conversation = p * 10 + c;
                Exec(connection, transaction, $"INSERT INTO chat_bindings (chat_id, project_id, bound_at, last_used_at) VALUES ({conversation}, {p}, 0, 0)");
                Exec(connection, transaction, $"INSERT INTO conversations (id, project_id, chat_id, created_at, last_message_at, last_client_message_at) VALUES ({conversation}, {p}, {conversation}, 0, {startMs}, {startMs})");
            }
            for (var t = 1; t <= 10; t++)
                Exec(connection, transaction, $"INSERT INTO tasks (project_id, number, title, status, due_on, created_at, updated_at) VALUES ({p}, {t}, 'Task {t}', '{(t % 3 == 0 ? "done" : "todo")}', '{monthStart.AddDays(t):yyyy-MM-dd}', 0, 0)");
        }

        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO messages (conversation_id, direction, sender_user_id, sender_name, kind, text, chat_id, telegram_message_id, created_at)
                VALUES ($c, $d, 1, 'Someone', 'text', 'A message of ordinary length about the project', $c, $i, $at)
                """;
            var c = insert.Parameters.Add("$c", SqliteType.Integer);
            var d = insert.Parameters.Add("$d", SqliteType.Text);
            var i = insert.Parameters.Add("$i", SqliteType.Integer);
            var at = insert.Parameters.Add("$at", SqliteType.Integer);
            for (var n = 0; n < messages; n++)
            {
                c.Value = 10 + random.Next(projects * 10);
                d.Value = n % 2 == 0 ? "client" : "staff";
                i.Value = n;
                at.Value = startMs + random.NextInt64(days * 86_400_000L);
                insert.ExecuteNonQuery();
            }
        }
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO response_log (conversation_id, project_id, waiting_since, answered_at, answered_by, seconds, business_seconds, breached, held_by)
                VALUES ($c, $p, $at, $at + $s * 1000, 1, $s, $s, $s > 900, 1)
                """;
            var c = insert.Parameters.Add("$c", SqliteType.Integer);
            var p = insert.Parameters.Add("$p", SqliteType.Integer);
            var at = insert.Parameters.Add("$at", SqliteType.Integer);
            var s = insert.Parameters.Add("$s", SqliteType.Integer);
            for (var n = 0; n < messages / 4; n++) // about one waiting period per four messages
            {
                var project = 1 + random.Next(projects);
                p.Value = project;
                c.Value = project * 10 + random.Next(10);
                at.Value = startMs + random.NextInt64(days * 86_400_000L);
                s.Value = 30 + random.Next(1500);
                insert.ExecuteNonQuery();
            }
        }
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO time_entries (project_id, staff_id, minutes, category, spent_on, created_at) VALUES ($p, 1, $m, $cat, $day, 0)";
            var p = insert.Parameters.Add("$p", SqliteType.Integer);
            var m = insert.Parameters.Add("$m", SqliteType.Integer);
            var cat = insert.Parameters.Add("$cat", SqliteType.Text);
            var day = insert.Parameters.Add("$day", SqliteType.Text);
            string[] categories = ["comms", "invoice", "report", "meeting", "work", "work", "work", "work", "work", "work"];
            for (var n = 0; n < timeEntries; n++)
            {
                p.Value = 1 + random.Next(projects);
                m.Value = 15 + random.Next(240);
                cat.Value = categories[random.Next(categories.Length)];
                day.Value = monthStart.AddDays(random.Next(days)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                insert.ExecuteNonQuery();
            }
        }
        await transaction.CommitAsync();
    }

    private static void Exec(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
