using System.Net;
using System.Net.Sockets;

namespace AgencyBot.Tests.Fakes;

/// <summary>Small pieces of the wire the tests share: a webhook body as Telegram posts it, a free local port.</summary>
public static class Wire
{
    /// <summary>A text message from a private chat, as the JSON body Telegram posts to a webhook.</summary>
    public static string TextUpdate(int updateId, long chat, string text) => FakeBotApi.WebhookTextUpdate(updateId, chat, text);

    /// <summary>The POST Telegram makes to a webhook: the update as JSON, the secret in its header (none: left out).</summary>
    public static HttpRequestMessage WebhookCall(Uri hook, string body, string? secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, hook) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        if (secret is not null) request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secret);
        return request;
    }

    /// <summary>A port nobody listens on right now, for a host process of the test's own.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
