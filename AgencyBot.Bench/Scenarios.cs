using System.Diagnostics;
using AgencyBot.Core.Data;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Sending;
using AgencyBot.Sandbox;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Telegram.Bot.Requests;

namespace AgencyBot.Bench;

internal static class Scenarios
{
    /// <summary>Updates waiting at Telegram when the host starts: time until all are committed, and until all are handled.</summary>
    /// <param name="postgres">A PostgreSQL server to run on (a fresh database is made and dropped), or null for SQLite.</param>
    public static async Task<Figure> IntakeAsync(int updates, int chats, string? postgres = null)
    {
        await using var telegram = await FakeBotApi.StartAsync();
        await using var store = BenchDatabase.Create(postgres);
        for (var i = 0; i < updates; i++) telegram.ClientSends(1_000_000 + i % chats, $"message {i}");

        var clock = Stopwatch.StartNew();
        await using var host = new BenchHost(telegram, store.ConnectionString, limitsOn: false,
            new() { ["Database:Provider"] = store.Provider.ToString() });
        host.Start();
        await UntilAsync(store.Database, "SELECT COUNT(*) FROM inbox", 1);
        var firstCommit = clock.Elapsed; // start-up ends here
        await UntilAsync(store.Database, "SELECT COUNT(*) FROM inbox", updates);
        var committed = clock.Elapsed - firstCommit;
        await UntilAsync(store.Database, "SELECT COUNT(*) FROM inbox WHERE state = 'handled'", updates);
        var handled = clock.Elapsed - firstCommit;
        Console.WriteLine($"intake ({store.Provider}): start-up {firstCommit.TotalSeconds:0.00}s; then {updates} updates committed in {committed.TotalSeconds:0.00}s, handled in {handled.TotalSeconds:0.00}s");
        return new Figure($"intake: committed and handled{(postgres is null ? "" : ", PostgreSQL")}", updates / handled.TotalSeconds, "updates/s",
            $"{updates} updates in {chats} chats waiting at start: all committed in {committed.TotalSeconds:0.00}s " +
            $"({updates / committed.TotalSeconds:0} /s), all handled in {handled.TotalSeconds:0.00}s, replies sent meanwhile; start-up {firstCommit.TotalSeconds:0.00}s not counted");
    }

    /// <summary>From starting the host to its first getUpdates: how soon a restarted bot listens again.</summary>
    public static async Task<Figure> StartUpAsync()
    {
        await using var telegram = await FakeBotApi.StartAsync();
        using var folder = new TempFolder();
        var clock = Stopwatch.StartNew();
        await using var host = new BenchHost(telegram, folder.ConnectionString, limitsOn: true);
        host.Start();
        while (telegram.GetUpdatesCalls == 0) await Task.Delay(1);
        var elapsed = clock.Elapsed;
        Console.WriteLine($"start-up: first getUpdates after {elapsed.TotalMilliseconds:0} ms");
        return new Figure("start-up to first getUpdates", elapsed.TotalMilliseconds, "ms", "new database: migrations included, in-process host");
    }

    /// <summary>Rows already in the outbox: time until Telegram has received all of them.</summary>
    public static async Task<Figure> OutboxDrainAsync(int messages, int chats, bool limitsOn)
    {
        await using var telegram = await FakeBotApi.StartAsync();
        if (limitsOn) telegram.EnforceLimits(); // any excess would be answered 429 and counted
        using var folder = new TempFolder();
        await using (var host = new BenchHost(telegram, folder.ConnectionString, limitsOn))
        {
            host.Start(); // migrates
            await Task.Delay(200);
        }
        await SeedOutboxAsync(folder.ConnectionString, messages, chats);

        await using var sending = new BenchHost(telegram, folder.ConnectionString, limitsOn);
        var clock = Stopwatch.StartNew();
        sending.Start();
        var sent = await telegram.WaitForSentCountAsync(messages, TimeSpan.FromMinutes(5));
        var elapsed = sent[^1].At - sent[0].At;
        var tooMany = Math.Max(sending.Services.GetRequiredService<SendStatistics>().TooManyRequestsCount, telegram.TooManyServed);
        var rate = (messages - 1) / elapsed.TotalSeconds;
        Console.WriteLine($"outbox ({(limitsOn ? "limits on" : "limits off")}): {messages} messages in {elapsed.TotalSeconds:0.00}s, 429s: {tooMany}");
        return new Figure($"outbox drain, limiter {(limitsOn ? "on" : "off")}", rate, "messages/s",
            $"{messages} messages to {chats} chats; 429 answers: {tooMany}" + (limitsOn ? "; configured overall limit 30/s" : ""));
    }

    private static async Task SeedOutboxAsync(string connectionString, int messages, int chats)
    {
        var database = new Database(connectionString);
        var store = new OutboxStore(database, TimeProvider.System);
        await database.WriteAsync(async (c, t) =>
        {
            for (var i = 0; i < messages; i++)
            {
                var chatId = 2_000_000 + i % chats;
                await store.EnqueueAsync(c, t, chatId, new SendMessageRequest { ChatId = chatId, Text = $"reply {i}" });
            }
        });
    }

    private static async Task<TimeSpan> UntilAsync(Database database, string countSql, int expected)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = await database.OpenAsync();
                if (await connection.ExecuteScalarAsync<long>(countSql) >= expected) return clock.Elapsed;
            }
            catch (System.Data.Common.DbException)
            {
                // not migrated yet
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException(countSql);
            await Task.Delay(5);
        }
    }
}

/// <summary>The real Host in-process with Telegram pointed at the fake server.</summary>
internal sealed class BenchHost(FakeBotApi telegram, string connectionString, bool limitsOn, Dictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    public const string ApiKey = "bench-admin-api-key";

    public void Start() => _ = Services;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Telegram:BotToken", FakeBotApi.Token);
        builder.UseSetting("Telegram:ApiBaseUrl", telegram.BaseUrl);
        builder.UseSetting("Telegram:PollTimeout", "00:00:01");
        builder.UseSetting("Telegram:Limits:Enabled", limitsOn ? "true" : "false");
        builder.UseSetting("Database:ConnectionString", connectionString);
        builder.UseSetting("AdminApi:ApiKey", ApiKey);
        builder.UseSetting("Logging:LogLevel:Default", "Error");
        builder.UseSetting("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Error");
        foreach (var (key, value) in settings ?? []) builder.UseSetting(key, value);
    }
}

internal sealed class TempFolder : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "agencybot-bench", Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(_path);

    public string ConnectionString => $"Data Source={Path.Combine(_path, "bench.db")}";

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A fresh database for one scenario: a SQLite file in a temp folder, or a new database on a PostgreSQL server.</summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly TempFolder? _folder;
    private readonly string? _server;
    private readonly string? _name;

    private BenchDatabase(TempFolder folder)
    {
        _folder = folder;
        ConnectionString = folder.ConnectionString;
        Provider = DatabaseProvider.Sqlite;
        Database = new Database(ConnectionString);
    }

    private BenchDatabase(string server)
    {
        _server = server;
        _name = "agencybot_bench_" + Guid.NewGuid().ToString("N");
        using (var connection = new Npgsql.NpgsqlConnection(server))
        {
            connection.Open();
            connection.Execute($"CREATE DATABASE {_name}");
        }
        ConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = _name }.ConnectionString;
        Provider = DatabaseProvider.Postgres;
        Database = new Database(ConnectionString, Provider);
    }

    public string ConnectionString { get; }
    public DatabaseProvider Provider { get; }
    public Database Database { get; }

    public static BenchDatabase Create(string? postgresServer) => postgresServer is null ? new(new TempFolder()) : new(postgresServer);

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        _folder?.Dispose();
        if (_server is null) return;
        await using var connection = new Npgsql.NpgsqlConnection(_server);
        await connection.OpenAsync();
        await connection.ExecuteAsync($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }
}
