using System.Text.Json.Nodes;
using AgencyBot.Core.Outbox;

namespace AgencyBot.Core.Conversations;

/// <summary>
/// Reactions as a quiet signal (setMessageReaction; Telegram allows only its own list of emoji, which has no ✅):
/// the bot puts 👀 on a client's message when someone takes it and 👌 once it is answered; in the staff chat a 👍 on
/// a relayed message is "on it" (/ack) and a 👌 is Close (no answer needed). A reaction never counts as an answer.
/// </summary>
public static class Reactions
{
    public const string Taken = "👀", Answered = "👌", OnIt = "👍", Close = "👌";

    /// <summary>Queues the bot's reaction on a message (replacing its earlier one there).</summary>
    public static Task ReactAsync(IDbConnection c, IDbTransaction t, OutboxStore outbox, long chatId, long messageId, string emoji)
    {
        var body = new JsonObject
        {
            ["chat_id"] = chatId, ["message_id"] = messageId,
            ["reaction"] = new JsonArray(new JsonObject { ["type"] = "emoji", ["emoji"] = emoji }),
        };
        return outbox.EnqueueRawAsync(c, t, chatId, "setMessageReaction", body.ToJsonString());
    }

    /// <summary>👀 or 👌 on the client's last message of the conversation.</summary>
    public static async Task OnLastClientMessageAsync(IDbConnection c, IDbTransaction t, OutboxStore outbox, long conversationId, string emoji)
    {
        if (await ConversationStore.LastClientMessageAsync(c, t, conversationId) is { TelegramMessageId: > 0 } last)
            await ReactAsync(c, t, outbox, last.ChatId, last.TelegramMessageId, emoji);
    }
}
