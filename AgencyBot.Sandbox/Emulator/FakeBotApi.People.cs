using System.Text.Json.Nodes;

namespace AgencyBot.Sandbox;

/// <summary>Acting as Telegram users: chats, groups and their upgrades, messages, edits, presses, topics people delete or close.</summary>
public sealed partial class FakeBotApi
{
    // ---------- acting as Telegram users ----------

    public sealed record ChatInfo(long Id, string Type, string? Title, bool IsForum);

    /// <summary>A basic group becomes a supergroup with a new id, as Telegram does it: from now on the old id is refused
    /// with 400 and parameters.migrate_to_chat_id. The two service messages that announce it are the test's to send
    /// (<see cref="MigrationMessages"/>), in whichever order it wants.</summary>
    public void UpgradeGroup(long from, long to, string title, bool isForum = false)
    {
        DefineGroup(to, title, isForum);
        lock (_lock) _migrated[from] = to;
    }

    /// <summary>The service messages of an upgrade: migrate_to_chat_id in the old group, migrate_from_chat_id in the new
    /// supergroup (update bodies for <see cref="EnqueueUpdate"/>).</summary>
    public (JsonObject InOldGroup, JsonObject InNewSupergroup) MigrationMessages(long from, long to, long userId, string firstName)
    {
        var old = NewMessage(from, userId, firstName, null, null);
        old["migrate_to_chat_id"] = to;
        var @new = NewMessage(to, userId, firstName, null, null);
        @new["migrate_from_chat_id"] = from;
        return (new JsonObject { ["message"] = old }, new JsonObject { ["message"] = @new });
    }

    /// <summary>Someone removes the bot from a group (or takes away its right to post): every post there is refused, as
    /// Telegram refuses it, until <see cref="RestoreBot"/>. Telegram also sends my_chat_member updates
    /// (<see cref="BotMembership"/>), which are the test's to send.</summary>
    public void RemoveBot(long chatId, string description = "Forbidden: bot was kicked from the supergroup chat")
    {
        lock (_lock) _botRemoved[chatId] = description;
    }

    public void RestoreBot(long chatId)
    {
        lock (_lock) _botRemoved.Remove(chatId);
    }

    /// <summary>A my_chat_member update: the bot's status in a chat changed to <paramref name="status"/>
    /// (member, administrator, left, kicked).</summary>
    public JsonObject BotMembership(long chatId, string status, long byUserId)
    {
        var bot = BotUserJson();
        var member = new JsonObject { ["status"] = status, ["user"] = bot.DeepClone() };
        if (status == "administrator")
            foreach (var right in new[] { "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
                         "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories", "can_manage_topics" })
                member[right] = right is "can_manage_chat" or "can_delete_messages" or "can_manage_topics";
        if (status == "kicked") member["until_date"] = 0;
        return new JsonObject
        {
            ["my_chat_member"] = new JsonObject
            {
                ["chat"] = ChatJson(chatId, null), ["from"] = new JsonObject { ["id"] = byUserId, ["is_bot"] = false, ["first_name"] = "Admin" },
                ["date"] = Now(), ["old_chat_member"] = new JsonObject { ["status"] = "member", ["user"] = bot.DeepClone() }, ["new_chat_member"] = member,
            },
        };
    }

    /// <summary>Declares a group or supergroup so messages in it carry the right chat type and title.</summary>
    public void DefineGroup(long chatId, string title, bool isForum = false, string type = "supergroup") =>
        _chats[chatId] = new ChatInfo(chatId, type, title, isForum);

    /// <summary>A client (or anyone) writes a text message to the bot; returns the update_id.</summary>
    /// <param name="quote">The part of the replied-to message the sender quoted (Telegram's reply quote).</param>
    public int ClientSends(long chatId, string text, long? userId = null, string firstName = "Client", string? languageCode = "en",
        int? threadId = null, int? replyToMessageId = null, string? quote = null)
    {
        var message = NewMessage(chatId, userId ?? chatId, firstName, languageCode, threadId);
        message["text"] = text;
        if (text.StartsWith('/'))
        {
            var length = text.IndexOf(' ') is var space and > 0 ? space : text.Length;
            message["entities"] = new JsonArray(new JsonObject { ["type"] = "bot_command", ["offset"] = 0, ["length"] = length });
        }
        if (replyToMessageId is { } replyTo)
        {
            // The message replied to, as Telegram includes it (without its own reply_to_message): a person's own message
            // as they sent it, or else one of the bot's.
            JsonObject? theirs;
            SentMessage? bots;
            JsonObject? copied = null;
            lock (_lock)
            {
                theirs = _userMessages.GetValueOrDefault((chatId, replyTo))?.DeepClone().AsObject();
                bots = theirs is null ? _sent.LastOrDefault(m => m.ChatId == chatId && m.MessageId == replyTo) : null;
                // A copy carries what it copied (the document, the photo…), as the original had it.
                if (bots is { Method: "copyMessage" } copy && Number(copy.Request.Body["from_chat_id"]) is { } from && Number(copy.Request.Body["message_id"]) is { } id)
                    copied = _userMessages.GetValueOrDefault((from, (int)id))?.DeepClone().AsObject();
            }
            theirs?.Remove("reply_to_message");
            var replied = theirs ?? new JsonObject { ["message_id"] = replyTo, ["date"] = Now(), ["chat"] = ChatJson(chatId, null), ["from"] = BotUserJson() };
            foreach (var media in new[] { "document", "photo", "video", "audio", "voice", "animation", "video_note", "sticker" })
                if (copied?[media] is { } content) replied[media] = content.DeepClone();
            if (bots?.Text is { } botText) replied[copied is null ? "text" : "caption"] = botText;
            message["reply_to_message"] = replied;
            // Outside forums, Telegram threads a supergroup's replies too: message_thread_id is the reply chain's root,
            // and there is no is_topic_message.
            if (threadId is null && _chats.TryGetValue(chatId, out var group) && group.Type == "supergroup" && !group.IsForum)
                message["message_thread_id"] = (int?)replied["message_thread_id"] ?? replyTo;
        }
        else if (threadId is { } topic && _chats.TryGetValue(chatId, out var forum) && forum.IsForum)
        {
            // A message in a topic that replies to nothing points at the topic's creation message.
            message["reply_to_message"] = new JsonObject
            {
                ["message_id"] = topic, ["date"] = Now(), ["chat"] = ChatJson(chatId, null), ["from"] = BotUserJson(),
                ["message_thread_id"] = topic, ["is_topic_message"] = true,
                ["forum_topic_created"] = new JsonObject { ["name"] = TopicName(chatId, topic), ["icon_color"] = 7322096 },
            };
        }
        if (quote is not null) message["quote"] = new JsonObject { ["text"] = quote, ["position"] = 0, ["is_manual"] = true };
        return EnqueueUpdate(new JsonObject { ["message"] = message });
    }

    /// <summary>A client sends media: photo, document, voice, video, video_note, sticker, location or contact.
    /// Returns the message_id it got in its chat.</summary>
    public int ClientSendsMedia(long chatId, string kind, string? caption = null, string? mediaGroupId = null, long? userId = null,
        string firstName = "Client", int? threadId = null)
    {
        var message = NewMessage(chatId, userId ?? chatId, firstName, "en", threadId);
        var file = new JsonObject { ["file_id"] = $"{kind}-{Guid.NewGuid():N}", ["file_unique_id"] = Guid.NewGuid().ToString("N")[..12] };
        message[kind] = kind switch
        {
            "photo" => new JsonArray(new JsonObject { ["file_id"] = file["file_id"]!.GetValue<string>(), ["file_unique_id"] = "p1", ["width"] = 800, ["height"] = 600 }),
            "voice" or "audio" => Merge(file, new JsonObject { ["duration"] = 3 }),
            "video" => Merge(file, new JsonObject { ["width"] = 640, ["height"] = 480, ["duration"] = 5 }),
            "video_note" => Merge(file, new JsonObject { ["length"] = 240, ["duration"] = 4 }),
            "sticker" => Merge(file, new JsonObject { ["type"] = "regular", ["width"] = 512, ["height"] = 512, ["is_animated"] = false, ["is_video"] = false }),
            "location" => new JsonObject { ["latitude"] = 48.8566, ["longitude"] = 2.3522 },
            "contact" => new JsonObject { ["phone_number"] = "+33100000000", ["first_name"] = "Jean" },
            _ => file,
        };
        if (caption is not null) message["caption"] = caption;
        if (mediaGroupId is not null) message["media_group_id"] = mediaGroupId;
        EnqueueUpdate(new JsonObject { ["message"] = message });
        return (int)message["message_id"]!;
    }

    /// <summary>Someone changes their reaction on a message: <paramref name="emoji"/> now, <paramref name="before"/> until
    /// then (Telegram sends both lists).</summary>
    public int Reacts(long chatId, int messageId, long userId, string emoji, string firstName = "Client", string? before = null)
    {
        static JsonArray List(string? e) => e is null ? [] : new JsonArray(new JsonObject { ["type"] = "emoji", ["emoji"] = e });
        lock (_lock)
            AddToTimeline(new ChatEntry(0, ChatEntryKind.Reaction, chatId, null, messageId, firstName, false, emoji, null, null, null, _clock.GetUtcNow()));
        return EnqueueUpdate(new JsonObject
        {
            ["message_reaction"] = new JsonObject
            {
                ["chat"] = ChatJson(chatId, firstName), ["message_id"] = messageId, ["date"] = Now(),
                ["user"] = new JsonObject { ["id"] = userId, ["is_bot"] = false, ["first_name"] = firstName },
                ["old_reaction"] = List(before), ["new_reaction"] = List(emoji),
            },
        });
    }

    /// <summary>Someone types "@bot <paramref name="query"/>" in any chat (inline mode).</summary>
    public int InlineQueries(long userId, string query, string firstName = "Client") =>
        EnqueueUpdate(new JsonObject
        {
            ["inline_query"] = new JsonObject
            {
                ["id"] = Guid.NewGuid().ToString("N"),
                ["from"] = new JsonObject { ["id"] = userId, ["is_bot"] = false, ["first_name"] = firstName, ["language_code"] = "en" },
                ["query"] = query, ["offset"] = "",
            },
        });

    /// <summary>Someone sends an inline result they picked: their message, "via" the bot. Returns the message_id.</summary>
    public int ClientSendsViaBot(long chatId, string text, long userId, string firstName = "Client", int? threadId = null)
    {
        var message = NewMessage(chatId, userId, firstName, "en", threadId);
        message["text"] = text;
        message["via_bot"] = BotUserJson();
        EnqueueUpdate(new JsonObject { ["message"] = message });
        return (int)message["message_id"]!;
    }

    /// <summary>Someone sends a file (a document) with these bytes; the bot can getFile and download it. Returns the
    /// message_id.</summary>
    public int ClientSendsDocument(long chatId, string fileName, byte[] content, string? caption = null, long? userId = null, string firstName = "Client",
        int? threadId = null, string mimeType = "text/csv")
    {
        var message = NewMessage(chatId, userId ?? chatId, firstName, "en", threadId);
        var fileId = $"document-{Guid.NewGuid():N}";
        lock (_lock) _files[fileId] = content;
        message["document"] = new JsonObject
        {
            ["file_id"] = fileId, ["file_unique_id"] = Guid.NewGuid().ToString("N")[..12], ["file_name"] = fileName, ["mime_type"] = mimeType,
            ["file_size"] = content.Length,
        };
        if (caption is not null) message["caption"] = caption;
        EnqueueUpdate(new JsonObject { ["message"] = message });
        return (int)message["message_id"]!;
    }

    /// <summary>Like <see cref="ClientSends"/> but returns the message_id (for edits and replies).</summary>
    public int ClientSendsReturningId(long chatId, string text, long? userId = null, string firstName = "Client", int? threadId = null, int? replyToMessageId = null)
    {
        var updateId = ClientSends(chatId, text, userId, firstName, "en", threadId, replyToMessageId);
        lock (_lock) return (int)_unconfirmed.Last(u => (int)u["update_id"]! == updateId)["message"]!["message_id"]!;
    }

    /// <summary>The client edits one of their messages.</summary>
    public int ClientEdits(long chatId, int messageId, string newText, long? userId = null, string firstName = "Client")
    {
        var message = NewMessage(chatId, userId ?? chatId, firstName, "en", null);
        message["message_id"] = messageId;
        message["text"] = newText;
        message["edit_date"] = Now();
        return EnqueueUpdate(new JsonObject { ["edited_message"] = message });
    }

    /// <summary>Someone presses an inline-keyboard button on a message the bot sent.</summary>
    public int Presses(long chatId, int messageId, string data, long? userId = null, string firstName = "Client")
    {
        var from = new JsonObject { ["id"] = userId ?? chatId, ["is_bot"] = false, ["first_name"] = firstName, ["language_code"] = "en" };
        var pressed = new JsonObject
        {
            ["message_id"] = messageId, ["date"] = Now(), ["chat"] = ChatJson(chatId, firstName), ["from"] = BotUserJson(), ["text"] = "…",
        };
        // The message under the button as it was sent, so a press in a forum topic carries the topic.
        int? thread;
        lock (_lock) thread = _sent.LastOrDefault(m => m.ChatId == chatId && m.MessageId == messageId)?.Request.ThreadId;
        if (thread is not null)
        {
            pressed["message_thread_id"] = thread;
            pressed["is_topic_message"] = true;
        }
        var id = Guid.NewGuid().ToString("N");
        lock (_lock) _presses[id] = (chatId, thread);
        return EnqueueUpdate(new JsonObject
        {
            ["callback_query"] = new JsonObject
            {
                ["id"] = id,
                ["from"] = from,
                ["chat_instance"] = "ci-" + chatId,
                ["data"] = data,
                ["message"] = pressed,
            },
        });
    }

    private string TopicName(long chatId, int threadId)
    {
        lock (_lock) return _topics.GetValueOrDefault((chatId, threadId)) ?? "Topic";
    }

    /// <summary>The forum topics the bot created: (chat, thread) → name.</summary>
    public IReadOnlyDictionary<(long Chat, int Thread), string> Topics { get { lock (_lock) return new Dictionary<(long, int), string>(_topics); } }

    /// <summary>Someone deletes a topic: later posts into it fail as Telegram's do.</summary>
    public void DeleteTopic(long chatId, int threadId)
    {
        lock (_lock)
        {
            _topics.Remove((chatId, threadId));
            _deletedTopics.Add((chatId, threadId));
        }
    }

    /// <summary>Someone closes a topic: posts into it fail with TOPIC_CLOSED until it is reopened.</summary>
    public void CloseTopic(long chatId, int threadId)
    {
        lock (_lock) _closedTopics.Add((chatId, threadId));
    }

    private static JsonObject Merge(JsonObject a, JsonObject b)
    {
        foreach (var (k, v) in b) a[k] = v?.DeepClone();
        return a;
    }

    /// <summary>Each update is delivered this many times (with the same update_id), as a flaky network or a
    /// restarted Bot API server may do.</summary>
    public int DeliverEachTimes { get; set; } = 1;

    /// <summary>Queues any update body (without update_id); returns the update_id assigned.</summary>
    public int EnqueueUpdate(JsonObject update)
    {
        lock (_lock)
        {
            var id = _nextUpdateId++;
            update["update_id"] = id;
            _unconfirmed.Add(update);
            if (update["message"] is JsonObject message) RecordUserMessage(message);
            for (var copy = 1; copy < DeliverEachTimes; copy++) _unconfirmed.Add((JsonObject)update.DeepClone());
            WakePolls();
            return id;
        }
    }

    /// <summary>Queues the same update again with the same update_id (as Telegram does when unconfirmed).</summary>
    public void Redeliver(int updateId, JsonObject body)
    {
        lock (_lock)
        {
            var copy = (JsonObject)body.DeepClone();
            copy["update_id"] = updateId;
            _unconfirmed.Add(copy);
            WakePolls();
        }
    }

    public int PendingUpdates { get { lock (_lock) return _unconfirmed.Count; } }
}
