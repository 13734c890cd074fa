using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using AgencyBot.Core.Data;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Sending;
using AgencyBot.Sandbox;
using Microsoft.Extensions.DependencyInjection;

namespace AgencyBot.Bench;

/// <summary>
/// Client message → its relay in the staff chat: the time from the update being available at the (fake) Bot API
/// to the bot's request that carries it into the staff chat, at a steady offered load.
/// </summary>
internal static class RelayLatency
{
    private const long StaffChat = -1009000;

    public static async Task<Figure[]> RunAsync(int perSecond, TimeSpan duration, int chats, int projects, bool limitsOn)
    {
        await using var telegram = await FakeBotApi.StartAsync();
        // With the limiter on, the fake Bot API enforces Telegram's limits too: any excess would be answered 429.
        if (limitsOn) telegram.EnforceLimits();
        telegram.DefineGroup(StaffChat, "Agency staff", isForum: true);
        using var folder = new TempFolder();
        await using var host = new BenchHost(telegram, folder.ConnectionString, limitsOn,
            new() { ["Agency:StaffChatId"] = StaffChat.ToString(CultureInfo.InvariantCulture) });
        host.Start();
        await SeedAsync(host, chats, projects);

        var total = (int)(perSecond * duration.TotalSeconds);
        var sentAt = new DateTimeOffset[total];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / (double)perSecond);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            sentAt[i] = DateTimeOffset.UtcNow;
            telegram.ClientSends(3_000_000 + i % chats, $"question #{i}#");
        }

        var relayedAt = new DateTimeOffset?[total];
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (relayedAt.Any(r => r is null) && DateTime.UtcNow < deadline)
        {
            foreach (var request in telegram.Requests.Where(r => r.ChatId == StaffChat && r.Text is not null))
                foreach (var id in Markers(request.Text!))
                    if (id < total) relayedAt[id] ??= request.At;
            await Task.Delay(100);
        }
        var latencies = Enumerable.Range(0, total).Where(i => relayedAt[i] is not null)
            .Select(i => (relayedAt[i]!.Value - sentAt[i]).TotalMilliseconds).Order().ToList();
        var staffPosts = telegram.Requests.Count(r => r.ChatId == StaffChat && r.Method is "sendMessage" or "copyMessage" or "copyMessages");
        var tooMany = Math.Max(host.Services.GetRequiredService<SendStatistics>().TooManyRequestsCount, telegram.TooManyServed);
        var span = telegram.Requests.Where(r => r.ChatId == StaffChat && r.Method != "createForumTopic").Select(r => r.At).DefaultIfEmpty().ToList();
        var minutes = Math.Max((span.Max() - span.Min()).TotalMinutes, 1.0 / 60);
        var label = $"{perSecond} msg/s, {chats} chats, {projects} projects, limiter {(limitsOn ? "on" : "off")}";
        Console.WriteLine($"relay ({label}): {latencies.Count}/{total} relayed, p50 {P(latencies, 0.5):0} ms, p99 {P(latencies, 0.99):0} ms, " +
            $"{staffPosts} staff posts, 429s {tooMany}");
        var detail = $"{latencies.Count}/{total} relayed in {staffPosts} posts into the staff group ({staffPosts / minutes:0.0} posts/min); 429 answers: {tooMany}";
        return
        [
            new Figure($"relay latency p50 ({label})", P(latencies, 0.5), "ms", detail),
            new Figure($"relay latency p95 ({label})", P(latencies, 0.95), "ms", detail),
            new Figure($"relay latency p99 ({label})", P(latencies, 0.99), "ms", detail),
        ];
    }

    /// <summary>Projects with a client chat each bound directly in the database (no onboarding chatter).</summary>
    private static async Task SeedAsync(BenchHost host, int chats, int projects)
    {
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", BenchHost.ApiKey);
        var projectIds = new List<long>();
        for (var p = 0; p < projects; p++)
        {
            var client = await (await api.PostAsJsonAsync("/api/clients", new { name = $"Client {p}" })).Content.ReadFromJsonAsync<JsonElement>();
            var project = await (await api.PostAsJsonAsync("/api/projects", new { clientId = client.GetProperty("id").GetInt64(), name = "Website" }))
                .Content.ReadFromJsonAsync<JsonElement>();
            projectIds.Add(project.GetProperty("id").GetInt64());
        }
        var database = host.Services.GetRequiredService<Database>();
        await database.WriteAsync(async (c, t) =>
        {
            for (var i = 0; i < chats; i++)
                await ChatBindingStore.BindChatAsync(c, t, 3_000_000 + i, projectIds[i % projects], DateTimeOffset.UtcNow);
            // Running projects have their topics already (created when their clients were linked): the burst measured
            // here is the steady state, not the first day.
            for (var p = 0; p < projectIds.Count; p++)
                await Dapper.SqlMapper.ExecuteAsync(c,
                    "INSERT INTO staff_topics (project_id, staff_chat_id, thread_id, created_at) VALUES (@Project, @Chat, @Thread, 0)",
                    new { Project = projectIds[p], Chat = StaffChat, Thread = 500 + p }, t);
        });
    }

    private static IEnumerable<int> Markers(string text)
    {
        var at = 0;
        while ((at = text.IndexOf("question #", at, StringComparison.Ordinal)) >= 0)
        {
            var start = at + "question #".Length;
            var end = text.IndexOf('#', start);
            if (end < 0) yield break;
            if (int.TryParse(text.AsSpan(start, end - start), CultureInfo.InvariantCulture, out var id)) yield return id;
            at = end;
        }
    }

    private static double P(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
