namespace AgencyBot.Core.Telegram;

/// <summary>
/// The one port to Telegram for sending: takes a Bot API method and its JSON body (as stored in the outbox)
/// and returns the message_id Telegram assigned, if the method creates a message.
/// Throws Telegram.Bot's ApiRequestException/RequestException or HttpRequestException on failure.
/// </summary>
public interface IMessenger
{
    Task<int?> SendAsync(string method, string payload, CancellationToken ct);
}
