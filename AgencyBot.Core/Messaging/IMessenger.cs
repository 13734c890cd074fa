namespace AgencyBot.Core.Messaging;

/// <summary>
/// The one port to Telegram for sending. <see cref="SendAsync"/> takes a Bot API method and its JSON body (as
/// stored in the outbox) and returns the message_ids Telegram assigned (none for methods that create no message).
/// Failures surface as Telegram.Bot's ApiRequestException/RequestException or HttpRequestException.
/// </summary>
public interface IMessenger
{
    Task<IReadOnlyList<int>> SendAsync(string method, string payload, CancellationToken ct);

    /// <summary>getChat: whether the chat has forum topics on.</summary>
    Task<bool> IsForumAsync(long chatId, CancellationToken ct);

    /// <summary>reopenForumTopic: someone closed the topic, but a client wrote again.</summary>
    Task ReopenTopicAsync(long chatId, int threadId, CancellationToken ct);

    /// <summary>createForumTopic; returns the new topic's message_thread_id.</summary>
    Task<int> CreateTopicAsync(long chatId, string name, CancellationToken ct);

    /// <summary>getFile and the download of a file someone sent; null when it is larger than <paramref name="maxBytes"/>.</summary>
    Task<byte[]?> DownloadAsync(string fileId, long maxBytes, CancellationToken ct);
}
