using AgencyBot.Core.Messaging;

namespace AgencyBot.Core.Outbox;

/// <summary>Answers a message where it was written (same chat, same topic), as a reply to it.</summary>
public sealed class ReplyInPlace(OutboxStore outbox)
{
    public Task SendAsync(IDbConnection c, IDbTransaction t, Message to, string text) =>
        outbox.EnqueueTextAsync(c, t, to.Chat.Id, text, to.TopicOf(), new ReplyParameters { MessageId = to.Id, AllowSendingWithoutReply = true });
}
