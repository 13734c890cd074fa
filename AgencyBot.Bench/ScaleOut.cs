using System.Diagnostics;
using System.Text;
using AgencyBot.Sandbox;
using Dapper;

namespace AgencyBot.Bench;

/// <summary>
/// Several hosts on one PostgreSQL database, as deployed behind a load balancer: host processes in webhook mode, the
/// same updates posted to them in turn. Time from the first post until every update is handled, for one host and for
/// two; the ratio says how much a second host adds on this machine (which they share with PostgreSQL and the poster).
/// </summary>
internal static class ScaleOut
{
    private const string Secret = "bench-webhook-secret";

    public static async Task<IReadOnlyList<Figure>> RunAsync(string postgres, int updates, int chats)
    {
        var one = await IntakeAsync(postgres, hosts: 1, updates, chats);
        var two = await IntakeAsync(postgres, hosts: 2, updates, chats);
        return
        [
            new Figure("PostgreSQL, 1 host process (webhook)", one, "updates/s", $"{updates} updates from {chats} chats posted to the webhook, until all handled"),
            new Figure("PostgreSQL, 2 host processes (webhook)", two, "updates/s", $"the same, posted to both in turn: {two / one:0.00} × one host"),
        ];
    }

    private static async Task<double> IntakeAsync(string postgres, int hosts, int updates, int chats)
    {
        await using var telegram = await FakeBotApi.StartAsync();
        await using var store = BenchDatabase.Create(postgres);
        var ports = Enumerable.Range(0, hosts).Select(_ => HostProcess.FreePort()).ToArray();
        var processes = ports.Select(port => HostProcess.Start(new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Telegram__BotToken"] = FakeBotApi.Token, ["Telegram__ApiBaseUrl"] = telegram.BaseUrl,
            ["Telegram__Mode"] = "Webhook", ["Telegram__WebhookUrl"] = "https://bot.example.com/telegram/hook", ["Telegram__WebhookSecret"] = Secret,
            ["Telegram__Limits__Enabled"] = "false",
            ["Database__Provider"] = "Postgres", ["Database__ConnectionString"] = store.ConnectionString,
            ["AdminApi__ApiKey"] = "bench-scale-out-admin-api-key",
        })).ToList();
        try
        {
            using var http = new HttpClient();
            foreach (var port in ports)
                await HostProcess.WaitAsync(async () => (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"))).IsSuccessStatusCode);

            await HostProcess.WaitAsync(() => Task.FromResult(telegram.WebhookUrl is not null));

            var bodies = Enumerable.Range(1, updates).Select(i => FakeBotApi.WebhookTextUpdate(i, 1_000_000 + i % chats, $"message {i}")).ToList();
            var clock = Stopwatch.StartNew();
            // As many posts in flight as Telegram would make: the max_connections the hosts set (Telegram's default, 40,
            // unless configured), across however many hosts stand behind the one webhook URL.
            var inFlight = new ParallelOptions { MaxDegreeOfParallelism = telegram.WebhookMaxConnections };
            await Parallel.ForEachAsync(Enumerable.Range(0, updates), inFlight, async (i, ct) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{ports[i % hosts]}/telegram/hook"))
                {
                    Content = new StringContent(bodies[i], Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", Secret);
                using var response = await http.SendAsync(request, ct);
                response.EnsureSuccessStatusCode();
            });
            var committed = clock.Elapsed;
            await HostProcess.WaitAsync(async () =>
            {
                await using var connection = await store.Database.OpenAsync();
                return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state = 'handled'") >= updates;
            });
            var handled = clock.Elapsed;
            Console.WriteLine($"scale-out: {hosts} host(s), {inFlight.MaxDegreeOfParallelism} calls at once: {updates} updates acknowledged in " +
                $"{committed.TotalSeconds:0.00}s, handled in {handled.TotalSeconds:0.00}s");
            return updates / handled.TotalSeconds;
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
        }
    }
}
