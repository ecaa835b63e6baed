package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// Prompt is an MCP prompt: a job hosts repeat, written as instructions
// that compose the tools.
type Prompt struct {
	Def     mcp.Prompt
	Handler server.PromptHandlerFunc
}

// Prompts returns the prompts, bound to d. Adding one is one line here.
func Prompts(d *Deps) []Prompt {
	return []Prompt{
		arrivalsPrompt(d),
		unansweredPrompt(d),
		occupancyPrompt(d),
	}
}

// promptDate reads an optional YYYY-MM-DD argument, default today.
func promptDate(d *Deps, args map[string]string, name string) (time.Time, error) {
	s := args[name]
	if s == "" {
		return time.Parse(time.DateOnly, d.now().Format(time.DateOnly))
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s must be a date like 2026-12-01, not %q", name, s)
	}
	return t, nil
}

func userPrompt(description, text string) *mcp.GetPromptResult {
	return mcp.NewGetPromptResult(description, []mcp.PromptMessage{
		mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(text)),
	})
}

func arrivalsPrompt(d *Deps) Prompt {
	const desc = "Who arrives and who leaves on a day, across every connected account, with same-day turnovers flagged."
	return Prompt{
		Def: mcp.NewPrompt("arrivals_and_departures",
			mcp.WithPromptTitle("Today's arrivals and departures"),
			mcp.WithPromptDescription(desc),
			mcp.WithArgument("date", mcp.ArgumentDescription("the day, YYYY-MM-DD (default today)")),
		),
		Handler: func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			day, err := promptDate(d, req.Params.Arguments, "date")
			if err != nil {
				return nil, err
			}
			date := day.Format(time.DateOnly)
			return userPrompt(desc, fmt.Sprintf(`List my arrivals and departures for %[1]s across all my accounts.

1. Call list_reservations with from=%[1]s, to=%[1]s (check-ins that day), and again with by=check_out, from=%[1]s, to=%[1]s (check-outs that day). Follow next_cursor until it is absent.
2. Leave out cancelled and declined reservations.
3. Group by property (list_properties gives the names). For each: who leaves (guest, number of guests), who arrives (guest, number of guests, channel, confirmation code), and mark "same-day turnover" where a check-out and a check-in fall on the same property that day.
4. If an account reports an error, say which one and what the error tells me to do.
Answer as a short table per property; no messages are sent.`, date)), nil
		},
	}
}

func unansweredPrompt(d *Deps) Prompt {
	const desc = "Guest conversations whose last message is from the guest, with a suggested reply for each, sent only after I confirm."
	return Prompt{
		Def: mcp.NewPrompt("unanswered_guest_messages",
			mcp.WithPromptTitle("Unanswered guest messages"),
			mcp.WithPromptDescription(desc),
			mcp.WithArgument("days", mcp.ArgumentDescription("how many days back to look (default 7)")),
		),
		Handler: func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			days := 7
			if s := req.Params.Arguments["days"]; s != "" {
				if _, err := fmt.Sscanf(s, "%d", &days); err != nil || days < 1 || days > 90 {
					return nil, fmt.Errorf("days must be a number from 1 to 90, not %q", s)
				}
			}
			since := d.now().AddDate(0, 0, -days).Format(time.DateOnly)
			return userPrompt(desc, fmt.Sprintf(`Find guest messages I have not answered, across all my accounts.

1. Call list_conversations (newest first; follow next_cursor) and keep the conversations with a message since %[1]s.
2. For each, call get_messages (newest first) and keep it if the newest message is from the guest.
3. List them: guest, property, stay dates (get_reservation when the conversation names one), what the guest asked, and how long ago.
4. Suggest a short, friendly reply for each. Do not send anything until I say which replies to send; then send each with send_message. hostgate asks me to confirm each message (or saves it as a draft with a link for me): tell me which.`, since)), nil
		},
	}
}

func occupancyPrompt(d *Deps) Prompt {
	const desc = "Booked nights, occupancy and gaps per property for the next 30 days, across every connected account."
	return Prompt{
		Def: mcp.NewPrompt("occupancy_next_30_days",
			mcp.WithPromptTitle("Occupancy for the next 30 days"),
			mcp.WithPromptDescription(desc),
			mcp.WithArgument("property_id", mcp.ArgumentDescription("only this vendor-qualified property (default all)")),
		),
		Handler: func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			from, _ := promptDate(d, nil, "")
			to := from.AddDate(0, 0, 29)
			scope := "every property (list_properties; follow next_cursor)"
			if p := req.Params.Arguments["property_id"]; p != "" {
				scope = "the property " + p
			}
			return userPrompt(desc, fmt.Sprintf(`Show my occupancy from %[1]s to %[2]s (30 nights) for %[3]s.

1. Call list_reservations with by=check_out, from=%[1]s, to=%[4]s (every stay that ends inside the window or later) and follow next_cursor; keep the stays that check in on or before %[2]s, and leave out cancelled and declined ones.
2. Per property, count the booked nights inside the 30 nights, the occupancy (booked nights / 30), and list each gap of free nights between stays (start date, length). get_calendar shows blocked nights and prices where the vendor gives them: blocked nights are not gaps.
3. Give revenue only where reservations carry a total, in its own currency; never add different currencies together.
Answer as one table (property, booked nights, occupancy %%, gaps), then the three biggest gaps with their nightly prices.`, from.Format(time.DateOnly), to.Format(time.DateOnly), scope, to.AddDate(0, 0, 60).Format(time.DateOnly))), nil
		},
	}
}
