using System.Net;
using System.Net.Sockets;
using System.Text;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Admin;

/// <summary>Limits that only the real Kestrel server enforces, so the host runs as its own process.</summary>
public sealed class RequestLimitsTests
{
    [Test]
    public async Task OversizeBody_Is413Problem_AndStoresNothing()
    {
        await using var telegram = await FakeBotApi.StartAsync();
        await using var db = TempDatabase.Create();
        var port = FreePort();
        using var host = HostProcess.Start(new Dictionary<string, string?>
        {
            ["Telegram__BotToken"] = FakeBotApi.Token,
            ["Telegram__ApiBaseUrl"] = telegram.BaseUrl,
            ["Database__ConnectionString"] = db.ConnectionString, ["Database__Provider"] = db.Provider.ToString(),
            ["AdminApi__ApiKey"] = TestHost.ApiKey,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        }, db.Folder);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Add("X-Api-Key", TestHost.ApiKey);
        await Eventually.HoldsAsync(async () =>
        {
            try { return (await http.GetAsync("/health")).StatusCode; }
            catch (HttpRequestException) { return HttpStatusCode.ServiceUnavailable; }
        }, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "host up");

        var body = "{\"name\": \"" + new string('x', 2 * 1024 * 1024) + "\"}";
        var response = await http.PostAsync("/api/clients", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(await db.ScalarAsync<long>("SELECT COUNT(*) FROM clients"), Is.Zero);
        });
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
