using System.Text.Json;
using AgencyBot.Core.Data;
using Telegram.Bot;
using Telegram.Bot.Requests.Abstractions;

namespace AgencyBot.Core.Messaging;

/// <summary>Sends stored Bot API requests through the real Telegram.Bot client.</summary>
public sealed class TelegramMessenger(ITelegramBotClient bot, AttachmentStore attachments) : IMessenger
{
    private delegate Task<IReadOnlyList<int>> Sender(ITelegramBotClient bot, string payload, CancellationToken ct);

    // Methods the outbox may hold. Adding one is a line here.
    private static readonly Dictionary<string, Sender> Senders = new(StringComparer.Ordinal)
    {
        ["sendMessage"] = Send<SendMessageRequest, Message>(m => [m.Id]),
        ["copyMessage"] = Send<CopyMessageRequest, MessageId>(m => [m.Id]),
        ["copyMessages"] = Send<CopyMessagesRequest, MessageId[]>(ms => ms.Select(m => m.Id).ToList()),
        ["editMessageText"] = Send<EditMessageTextRequest, Message>(m => [m.Id]),
        ["editMessageCaption"] = Send<EditMessageCaptionRequest, Message>(m => [m.Id]),
        ["deleteMessage"] = Send<DeleteMessageRequest, bool>(_ => []),
        ["answerCallbackQuery"] = Send<AnswerCallbackQueryRequest, bool>(_ => []),
        ["setMyCommands"] = Send<SetMyCommandsRequest, bool>(_ => []),
        // Telegram.Bot writes inline results but cannot read them back: the stored body goes as it is.
        ["answerInlineQuery"] = async (bot, payload, ct) => { await bot.SendRequest(new AsStored("answerInlineQuery", payload), ct); return []; },
        ["setMessageReaction"] = async (bot, payload, ct) => { await bot.SendRequest(new AsStored("setMessageReaction", payload), ct); return []; },
        ["deleteMyCommands"] = Send<DeleteMyCommandsRequest, bool>(_ => []),
    };

    public Task<IReadOnlyList<int>> SendAsync(string method, string payload, CancellationToken ct) =>
        method is "sendPhoto" or "sendDocument" ? SendStoredFileAsync(method, payload, ct)
        : Senders.TryGetValue(method, out var send) ? send(bot, payload, ct)
        : throw new NotSupportedException($"The outbox cannot send '{method}'.");

    /// <summary>sendPhoto or sendDocument with a file kept in the attachments table: {"chat_id", "attachment_id", "caption"},
    /// and "message_thread_id" when it goes into a topic.</summary>
    private async Task<IReadOnlyList<int>> SendStoredFileAsync(string method, string payload, CancellationToken ct)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(payload)!;
        var (fileName, data) = await attachments.GetAsync((long)json["attachment_id"]!, ct);
        using var stream = new MemoryStream(data);
        var (chatId, file, caption, thread) = ((long)json["chat_id"]!, InputFile.FromStream(stream, fileName), (string?)json["caption"], (int?)json["message_thread_id"]);
        var message = method == "sendPhoto"
            ? await bot.SendPhoto(chatId, file, caption: caption, messageThreadId: thread, cancellationToken: ct)
            : await bot.SendDocument(chatId, file, caption: caption, messageThreadId: thread, cancellationToken: ct);
        return [message.Id];
    }

    public async Task<bool> IsForumAsync(long chatId, CancellationToken ct) => (await bot.GetChat(chatId, ct)).IsForum;

    public Task ReopenTopicAsync(long chatId, int threadId, CancellationToken ct) => bot.ReopenForumTopic(chatId, threadId, ct);

    public async Task<byte[]?> DownloadAsync(string fileId, long maxBytes, CancellationToken ct)
    {
        var file = await bot.GetFile(fileId, ct);
        if (file.FileSize > maxBytes || file.FilePath is null) return null;
        using var content = new MemoryStream();
        await bot.DownloadFile(file.FilePath, content, ct);
        return content.Length > maxBytes ? null : content.ToArray();
    }

    public async Task<int> CreateTopicAsync(long chatId, string name, CancellationToken ct) =>
        (await bot.CreateForumTopic(chatId, name, cancellationToken: ct)).MessageThreadId;

    private static Sender Send<TRequest, TResult>(Func<TResult, IReadOnlyList<int>> messageIds) where TRequest : IRequest<TResult> =>
        async (bot, payload, ct) =>
        {
            var request = BotJson.Deserialize<TRequest>(payload)
                ?? throw new JsonException($"Empty {typeof(TRequest).Name} payload");
            return messageIds(await bot.SendRequest(request, ct));
        };
}

/// <summary>A request whose JSON body is the one stored in the outbox, sent without reading it back into a type.</summary>
internal sealed class AsStored(string method, string payload) : RequestBase<bool>(method)
{
    public override HttpContent ToHttpContent() => new StringContent(payload, System.Text.Encoding.UTF8, "application/json");
}
