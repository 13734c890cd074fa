using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using AgencyBot.Sandbox;
using Dapper;
using Microsoft.Data.Sqlite;
using Telegram.Bot;

namespace AgencyBot.Bench;

/// <summary>
/// The host as it runs in production: its own process (dotnet AgencyBot.Host.dll), SQLite, polling the fake Bot API.
/// Start-up to the first getUpdates; resident memory once 20 client chats are onboarded and the host is idle; the
/// peak while 20,000 updates from 1,000 chats go through. Linux only (it reads /proc).
/// </summary>
internal static class Footprint
{
    private const long StaffChat = -1009000;
    private const string ApiKey = "bench-footprint-api-key";

    /// <param name="hostFolder">A published host (dotnet publish … -o DIR) to measure instead of the one built here.</param>
    public static async Task<IReadOnlyList<Figure>> RunAsync(int chats, int updates, string? hostFolder = null)
    {
        await using var telegram = await FakeBotApi.StartAsync();
        telegram.DefineGroup(StaffChat, "Agency staff", isForum: true);
        using var folder = new TempFolder();
        var port = HostProcess.FreePort();
        var (host, startUp) = await StartUntilFirstPollAsync(telegram, folder, port, hostFolder);
        using var _ = host;

        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        api.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        await OnboardAsync(telegram, api, chats);
        await Task.Delay(TimeSpan.FromSeconds(10)); // idle: start-up's and onboarding's garbage has had its collections
        host.Refresh();
        var idle = Memory(host, "VmRSS");

        for (var i = 0; i < updates; i++) telegram.ClientSends(2_000_000 + i % 1_000, $"message {i}");
        await UntilHandledAsync(folder.ConnectionString, updates);
        var peak = Memory(host, "VmHWM");
        host.Kill();

        Console.WriteLine($"footprint: first getUpdates after {startUp.TotalMilliseconds:0} ms; idle {idle} MB with {chats} chats onboarded; peak {peak} MB through {updates} updates");
        return
        [
            new Figure("host process: start-up to first getUpdates", startUp.TotalMilliseconds, "ms",
                $"dotnet AgencyBot.Host.dll ({(hostFolder is null ? "as built" : $"published in {hostFolder}")}) on a new SQLite file (migrations included), from process start"),
            new Figure("host process: idle resident memory", idle, "MB", $"{chats} client chats onboarded through the admin API and /start, then 10 s idle"),
            new Figure("host process: peak resident memory", peak, "MB", $"the same process after {updates} updates from 1,000 chats (VmHWM)"),
        ];
    }

    /// <summary>Start-up alone, <paramref name="runs"/> times, each on a new SQLite file: the spread of one start is
    /// wide on a shared machine, so the figure is the median, with the fastest and slowest.</summary>
    public static async Task<IReadOnlyList<Figure>> StartUpAsync(int runs, string? hostFolder = null)
    {
        await using var telegram = await FakeBotApi.StartAsync();
        telegram.DefineGroup(StaffChat, "Agency staff", isForum: true);
        var times = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            using var folder = new TempFolder();
            var (host, startUp) = await StartUntilFirstPollAsync(telegram, folder, HostProcess.FreePort(), hostFolder);
            using (host)
            {
                host.Kill();
                await host.WaitForExitAsync();
            }
            times.Add(startUp.TotalMilliseconds);
        }
        times.Sort();
        var median = times[times.Count / 2];
        Console.WriteLine($"start-up: median {median:0} ms, fastest {times[0]:0} ms, slowest {times[^1]:0} ms over {runs} runs");
        return
        [
            new Figure("host process: start-up to first getUpdates, median", median, "ms",
                $"{runs} starts of dotnet AgencyBot.Host.dll ({(hostFolder is null ? "as built" : $"published in {hostFolder}")}), each on a new SQLite file: fastest {times[0]:0} ms, slowest {times[^1]:0} ms"),
        ];
    }

    /// <summary>Starts the host and waits for its first getUpdates, timed from process start.</summary>
    private static async Task<(Process Host, TimeSpan StartUp)> StartUntilFirstPollAsync(FakeBotApi telegram, TempFolder folder, int port, string? hostFolder)
    {
        var calls = await WarmAsync(telegram);
        var clock = Stopwatch.StartNew();
        var host = StartHost(telegram, folder, port, hostFolder);
        while (telegram.GetUpdatesCalls == calls)
        {
            if (host.HasExited) throw new InvalidOperationException("The host exited at start-up");
            await Task.Delay(1);
        }
        return (host, clock.Elapsed);
    }

    /// <summary>The calls the host makes at start-up, answered once by the emulator (which runs in this process) before
    /// the clock starts: the real Bot API is warm, and its first answers should not count as the host's start-up.
    /// Returns the getUpdates calls so far.</summary>
    private static async Task<int> WarmAsync(FakeBotApi telegram)
    {
        var bot = new TelegramBotClient(new TelegramBotClientOptions(FakeBotApi.Token, telegram.BaseUrl));
        await bot.GetMe();
        await bot.DeleteWebhook();
        await bot.GetUpdates(timeout: 0);
        return telegram.GetUpdatesCalls;
    }

    private static Process StartHost(FakeBotApi telegram, TempFolder folder, int port, string? hostFolder) => HostProcess.Start(new Dictionary<string, string>
    {
        ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        ["Telegram__BotToken"] = FakeBotApi.Token, ["Telegram__ApiBaseUrl"] = telegram.BaseUrl, ["Telegram__PollTimeout"] = "00:00:01",
        ["Telegram__Limits__Enabled"] = "false",
        ["Database__ConnectionString"] = folder.ConnectionString, ["AdminApi__ApiKey"] = ApiKey,
        ["Agency__StaffChatId"] = StaffChat.ToString(CultureInfo.InvariantCulture),
    }, hostFolder);

    /// <summary>Each chat gets a project, an invite, and opens it; done when every welcome has arrived.</summary>
    private static async Task OnboardAsync(FakeBotApi telegram, HttpClient api, int chats)
    {
        await HostProcess.WaitAsync(async () => (await api.GetAsync("/health")).IsSuccessStatusCode);
        for (var i = 0; i < chats; i++)
        {
            var client = await PostAsync(api, "/api/clients", new { name = $"Client {i}" });
            var project = await PostAsync(api, "/api/projects", new { clientId = client.GetProperty("id").GetInt64(), name = $"Project {i}" });
            var invite = await PostAsync(api, $"/api/projects/{project.GetProperty("id").GetInt64()}/invites", null);
            telegram.ClientSends(3_000_000 + i, $"/start {invite.GetProperty("code").GetString()}", firstName: $"Client{i}");
        }
        await telegram.WaitForSentAsync(sent => Enumerable.Range(0, chats).All(i => sent.Any(m => m.ChatId == 3_000_000 + i)), TimeSpan.FromMinutes(2));
        for (var i = 0; i < chats; i++) telegram.ClientSends(3_000_000 + i, "Hello, here is my first question", firstName: $"Client{i}");
        await telegram.WaitForSentAsync(sent => sent.Count(m => m.ChatId == StaffChat && m.Text?.Contains("first question") == true) >= chats, TimeSpan.FromMinutes(2));
    }

    private static async Task<JsonElement> PostAsync(HttpClient api, string path, object? body)
    {
        var response = body is null ? await api.PostAsync(path, null) : await api.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task UntilHandledAsync(string connectionString, int updates)
    {
        await HostProcess.WaitAsync(async () =>
        {
            await using var connection = new SqliteConnection(connectionString);
            return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state = 'handled' AND chat_id >= 2000000 AND chat_id < 3000000") >= updates;
        });
    }

    /// <summary>A line of /proc/&lt;pid&gt;/status, in MB.</summary>
    private static double Memory(Process process, string field)
    {
        var line = File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
