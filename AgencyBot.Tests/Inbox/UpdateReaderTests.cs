using AgencyBot.Core.Inbox;
using Telegram.Bot.Types.Enums;

namespace AgencyBot.Tests.Inbox;

/// <summary>Updates as Telegram sends them, including shapes newer than the Telegram library.</summary>
public sealed class UpdateReaderTests
{
    private const string Chat = """{"id":601,"type":"private","first_name":"Anna"}""";

    private static string Message(string fields) =>
        $$$"""{"update_id":7,"message":{"message_id":3,"date":1764000000,"chat":{{{Chat}}},"from":{"id":601,"is_bot":false,"first_name":"Anna"},{{{fields}}}}}""";

    [Test]
    public void Read_UnknownEntityType_ReadsAsUnknownAndKeepsTheText()
    {
        var read = UpdateReader.Read(Message("""
            "text":"see 12/05","entities":[{"type":"date_time_future","offset":4,"length":5},{"type":"bold","offset":0,"length":3}]
            """));

        Assert.Multiple(() =>
        {
            Assert.That(read.Update.Message!.Text, Is.EqualTo("see 12/05"));
            Assert.That(read.Update.Message.Entities!.Select(e => e.Type), Is.EqualTo(new[] { (MessageEntityType)0, MessageEntityType.Bold }));
            Assert.That(read.LeftOut, Is.Empty);
        });
    }

    [Test]
    public void Read_UnknownMessageOriginType_LeavesOutTheOriginOnly()
    {
        var read = UpdateReader.Read(Message("""
            "text":"forwarded","forward_origin":{"type":"wormhole","date":1764000000},"future_field":{"x":[1,2]}
            """));

        Assert.Multiple(() =>
        {
            Assert.That(read.Update.Message!.Text, Is.EqualTo("forwarded"));
            Assert.That(read.Update.Message.ForwardOrigin, Is.Null);
            Assert.That(read.LeftOut, Is.EqualTo(new[] { "$.message.forward_origin" }));
        });
    }

    [Test]
    public void Read_UnknownReactionTypeInAnArray_LeavesOutThatReactionOnly()
    {
        var read = UpdateReader.Read($$$"""
            {"update_id":8,"message_reaction":{"chat":{{{Chat}}},"message_id":3,"date":1764000000,"old_reaction":[],
             "new_reaction":[{"type":"emoji","emoji":"👍"},{"type":"hologram"},{"type":"emoji","emoji":"🔥"}]}}
            """);

        Assert.Multiple(() =>
        {
            Assert.That(read.Update.MessageReaction!.NewReaction, Has.Length.EqualTo(2));
            Assert.That(read.LeftOut, Is.EqualTo(new[] { "$.message_reaction.new_reaction[1]" }));
        });
    }

    [Test]
    public void Read_StickerWithoutTypeAndAnUnknownChatType_IsRead()
    {
        var read = UpdateReader.Read("""
            {"update_id":9,"message":{"message_id":3,"date":1764000000,"chat":{"id":-5,"type":"guild","title":"?"},
             "sticker":{"file_id":"f","file_unique_id":"u","width":512,"height":512,"is_animated":false,"is_video":false}}}
            """);

        Assert.Multiple(() =>
        {
            Assert.That(read.Update.Message!.Sticker, Is.Not.Null);
            Assert.That(read.Update.Message.Chat.Type, Is.EqualTo((ChatType)0), "an unknown chat type reads as unknown");
        });
    }

    [TestCase("""{"update_id":7,"message":{"message_id":3,"date":1764000000,"chat":{"id":601,"type":"private"},"text":5}}""", TestName = "Read_TextThatIsANumber_IsUnreadable")]
    [TestCase("""{"update_id":7,"message":{"message_id":3,"date":1764000000,"chat":{"id":601,"type":"private"},"text":{"a":1}}}""", TestName = "Read_TextThatIsAnObject_IsUnreadable")]
    [TestCase("""{"update_id":7,"message":{"message_id":3,"date":1764000000,"chat":{"id":601,"type":"private"},"forward_origin":{"date":"x"}}}""", TestName = "Read_AnObjectOfNoKindThatCannotBeRead_IsUnreadable")]
    [TestCase("""{"update_id":7,"message":{"message_id":3,"date":1764000000,"text":"no chat"}}""", TestName = "Read_MessageWithoutItsChat_IsUnreadable")]
    [TestCase("""{"update_id":7,"message":"a string"}""", TestName = "Read_MessageThatIsNotAnObject_IsUnreadable")]
    [TestCase("""{"update_id":7,"callback_query":{"id":"1","chat_instance":"c","data":"x"}}""", TestName = "Read_ButtonPressWithoutPresser_IsUnreadable")]
    [TestCase("""{"update_id":""", TestName = "Read_TruncatedJson_IsUnreadable")]
    public void Read_WhatCannotBeRead_ThrowsUnreadable(string json) =>
        Assert.That(() => UpdateReader.Read(json), Throws.TypeOf<UnreadableUpdateException>());

    [Test]
    public void RawUpdate_KeepsTheJsonAsSent_AndFindsTheChat()
    {
        const string json = """{ "update_id" : 12, "callback_query": {"id":"q","from":{"id":5,"is_bot":false,"first_name":"A"},"chat_instance":"c","message":{"message_id":1,"date":0,"chat":{"id":-100,"type":"supergroup","title":"g"}}} }""";

        var raw = RawUpdate.Parse(json)!;

        Assert.Multiple(() =>
        {
            Assert.That(raw.Json, Is.EqualTo(json), "byte for byte what Telegram sent");
            Assert.That(raw.Id, Is.EqualTo(12));
            Assert.That(raw.Kind, Is.EqualTo("callback_query"));
            Assert.That(raw.ChatId, Is.EqualTo(-100), "a button press belongs to the chat of the message it sits under");
        });
    }

    [TestCase("""{"update_id":13,"inline_query":{"id":"q","from":{"id":77,"is_bot":false,"first_name":"A"},"query":"","offset":""}}""", 77)]
    [TestCase("""{"update_id":14,"poll_answer":{"poll_id":"p","user":{"id":78,"is_bot":false,"first_name":"A"},"option_ids":[]}}""", 78)]
    [TestCase("""{"update_id":15,"a_kind_from_the_future":{"chat":{"id":-9,"type":"group"}}}""", -9)]
    [TestCase("""{"update_id":16,"something unknown to us":17}""", 0)]
    public void RawUpdate_ChatOfOtherKinds(string json, long chatId) =>
        Assert.That(RawUpdate.Parse(json)!.ChatId, Is.EqualTo(chatId));

    [TestCase("[]")]
    [TestCase("""{"message":{}}""")]
    [TestCase("""{"update_id":"12"}""")]
    [TestCase("not json")]
    public void RawUpdate_WithoutAnIntegerUpdateId_IsNoUpdate(string json) =>
        Assert.That(RawUpdate.Parse(json), Is.Null);
}
