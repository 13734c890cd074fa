using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Sandbox;

/// <summary>When the sandbox starts, when it refuses to, and what its page's API accepts (a real host process).</summary>
public sealed class SandboxModeTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "agencybot-sandbox-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    private HostProcess Start(string environment, int port, params string[] arguments) => HostProcess.Start(new Dictionary<string, string?>
    {
        ["DOTNET_ENVIRONMENT"] = environment, ["ASPNETCORE_ENVIRONMENT"] = environment,
        ["Sandbox__Port"] = port.ToString(CultureInfo.InvariantCulture),
    }, _folder, arguments);

    [Test]
    public async Task InProduction_TheSandboxRefusesToStart_WithOneLine()
    {
        using var host = Start("Production", Wire.FreePort(), "--sandbox");

        var exit = await host.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(host.Output.Trim().Split('\n'), Has.Length.EqualTo(1));
            Assert.That(host.Output, Does.Contain("does not run in Production"));
        });
    }

    [Test]
    public async Task InProductionUnderDotnetRun_WithoutAToken_ItIsProduction_AndSaysTheTokenIsMissing()
    {
        // dotnet run no longer forces Development (launchSettings sets no environment), so this is what it runs.
        using var host = Start("Production", Wire.FreePort());

        var exit = await host.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(host.Output.Trim().Split('\n'), Is.All.StartsWith("AgencyBot cannot start: "), "one line per missing setting, no stack trace");
            Assert.That(host.Output, Does.Contain("Telegram:BotToken is not set").And.Not.Contain("sandbox"));
        });
    }

    [TestCase("Development")]
    [TestCase("")] // nobody chose an environment: a plain `dotnet run` on a fresh machine
    public async Task InDevelopmentOrUnchosen_WithoutAToken_ThePlainRunIsTheSandbox_OnThisMachineOnly(string environment)
    {
        var port = Wire.FreePort();
        using var host = Start(environment, port);
        var address = $"http://127.0.0.1:{port}/sandbox";
        await Eventually.HoldsAsync(() => Task.FromResult(host.Output), o => o.Contains(address, StringComparison.Ordinal) || host.HasExited,
            TimeSpan.FromSeconds(60), "the sandbox prints its address");
        using var http = new HttpClient();

        var page = await http.GetStringAsync(new Uri(address));
        var listening = System.Net.NetworkInformation.IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners()
            .Where(e => e.Port == port).Select(e => e.Address).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(host.Output, Does.Contain($"AgencyBot sandbox: open {address}"));
            Assert.That(page, Does.Contain("id=\"client\"").And.Contain("id=\"staff\"").And.Contain("id=\"manager\""));
            Assert.That(listening, Is.Not.Empty.And.All.Matches<IPAddress>(IPAddress.IsLoopback), "bound to localhost only");
        });
    }

    [Test]
    public async Task WhatTheUserTypes_ReachesTheBotAsTelegramWouldDeliverIt()
    {
        var port = Wire.FreePort();
        using var host = Start("Development", port, "--sandbox");
        var api = $"http://127.0.0.1:{port}/sandbox/api";
        await Eventually.HoldsAsync(() => Task.FromResult(host.Output), o => o.Contains("AgencyBot sandbox: open", StringComparison.Ordinal) || host.HasExited,
            TimeSpan.FromSeconds(60), "sandbox up");
        using var http = new HttpClient();
        async Task<HttpResponseMessage> Say(long who, long chat, string? text) =>
            await http.PostAsJsonAsync(new Uri($"{api}/messages"), new { As = who, Chat = chat, Text = text });

        var empty = await Say(7001, 7001, "");
        var blank = await Say(7001, 7001, " \n ");
        var impostor = await Say(7001, -1001000000001, "a client in the staff group"); // the page never offers this
        var other = await Say(9003, 7001, "Paul writing in Anna's chat");
        var markup = await Say(7001, 7001, "<b>bold?</b> *no* 🎉");
        var long10k = await Say(7001, 7001, new string('x', 10_000));

        Assert.Multiple(async () =>
        {
            Assert.That(empty.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), Does.Contain("empty"));
            Assert.That(blank.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(impostor.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(markup.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            // Telegram's apps split a long text into messages of at most 4096 characters.
            Assert.That((await long10k.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("updateIds").GetArrayLength(), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task OutsideTheSandbox_ThePageAndTheClockButtonDoNotExist()
    {
        await using var world = await AgencyWorld.StartAsync();
        using var http = world.Host.CreateClient();

        var page = await http.GetAsync(new Uri("/sandbox", UriKind.Relative));
        var skip = await http.PostAsync(new Uri("/sandbox/api/skip", UriKind.Relative), null);

        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(skip.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

}
