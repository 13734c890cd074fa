namespace AgencyBot.Core.Messaging;

/// <summary>Telegram sets <c>message_thread_id</c> on every reply in a supergroup (the reply chain's root), forum or
/// not; only a forum topic's id is a place to write into or a project's topic to look up.</summary>
public static class MessageThreads
{
    /// <summary>The forum topic a message was written in, or null outside topics.</summary>
    public static int? TopicOf(this Message message) => message.IsTopicMessage ? message.MessageThreadId : null;

    /// <summary>A topic's creation message: every message in a topic that replies to nothing points at it.</summary>
    public static bool IsTopicStart(this Message message) => message.ForumTopicCreated is not null;
}
