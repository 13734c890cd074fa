using AgencyBot.Core.Staff;
using AgencyBot.Host.Admin;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgencyBot.Host.Staff;

public sealed record CreateStaff(long? TelegramUserId, string? Name, string? Role);

internal sealed class CreateStaffValidator : AbstractValidator<CreateStaff>
{
    public static readonly string[] Roles = ["assistant", "employee", "manager"];

    public CreateStaffValidator()
    {
        RuleFor(s => s.TelegramUserId).NotNull().GreaterThan(0);
        RuleFor(s => s.Name).NotEmpty().MaximumLength(100);
        RuleFor(s => s.Role).NotEmpty().Must(r => Roles.Contains(r)).WithMessage("'Role' must be one of: assistant, employee, manager.");
    }
}

public static class StaffApi
{
    public static void MapStaff(this RouteGroupBuilder api)
    {
        var staff = api.MapGroup("/staff");
        staff.MapGet("/", async (StaffStore store, CancellationToken ct) => TypedResults.Ok(await store.ListAsync(ct)));
        staff.MapPost("/", CreateAsync).AddEndpointFilter<Validated<CreateStaff>>();
    }

    private static async Task<Results<Created<StaffMember>, Conflict<Microsoft.AspNetCore.Mvc.ProblemDetails>>> CreateAsync(
        CreateStaff body, StaffStore store, CancellationToken ct)
    {
        var member = await store.AddAsync(body.TelegramUserId!.Value, body.Name!.Trim(), Enum.Parse<StaffRole>(body.Role!, ignoreCase: true), ct);
        return member is null
            ? TypedResults.Conflict(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = 409, Title = "Already registered",
                Detail = $"Telegram user {body.TelegramUserId} is already a staff member.",
            })
            : TypedResults.Created($"/api/staff/{member.Id}", member);
    }
}
