package tools

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/hostgate/hostgate/tools/connector"
)

// ReviewsIn filters reviews.
type ReviewsIn struct {
	Vendor     string `json:"vendor,omitempty" jsonschema_description:"only this vendor"`
	PropertyID string `json:"property_id,omitempty" jsonschema_description:"only this vendor-qualified property"`
	FreshIn
	PageIn
}

// ReviewsOut lists guest reviews.
type ReviewsOut struct {
	Reviews []connector.Review `json:"reviews"`
	Errors  []VendorError      `json:"errors,omitempty"`
	Freshness
	Accounts []AccountAge `json:"accounts,omitempty" jsonschema_description:"how old each account's part is; listed only when they differ, or when one is older because of a rate limit (see its note)"`
	Page
}

func (o *ReviewsOut) page() *Page { return &o.Page }
func (o *ReviewsOut) items() int  { return len(o.Reviews) }
func (o *ReviewsOut) keep(n int)  { o.Reviews = o.Reviews[:n] }

func newestReview(a, b connector.Review) int {
	return cmp.Or(strings.Compare(b.CheckOut, a.CheckOut), b.SubmittedAt.Compare(a.SubmittedAt), strings.Compare(a.ID, b.ID), strings.Compare(a.ReservationID, b.ReservationID))
}

func listReviews(d *Deps) Tool {
	return New(Meta{
		Name: "list_reviews", Title: "List guest reviews",
		Description: "Lists guests' reviews across the host's connected accounts, optionally for one property or vendor. Ratings use each vendor's scale.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
		Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.ReviewLister); return ok }),
	}, d, func(ctx context.Context, d *Deps, c *Caller, in ReviewsIn) (ReviewsOut, string, error) {
		pg, fresh := in.PageIn, in.Fresh
		in.PageIn, in.FreshIn = PageIn{}, FreshIn{}
		p, err := newPager(d, c, "list_reviews", in, pg)
		if err != nil {
			return ReviewsOut{}, "", err
		}
		vendor, propID := in.Vendor, ""
		if in.PropertyID != "" {
			v, id, err := connector.SplitID(in.PropertyID)
			if err != nil {
				return ReviewsOut{}, "", Errorf("property_id must be vendor-qualified, as list_properties returns it.")
			}
			vendor, propID = v, id
		}
		conns, err := connections(ctx, d, c, vendor)
		if err != nil {
			return ReviewsOut{}, "", err
		}
		revs, page, ages, errs, err := fanPage(ctx, d, p, conns, fresh, reviewsRead(propID), newestReview)
		if err != nil {
			return ReviewsOut{}, "", err
		}
		out := ReviewsOut{Reviews: revs, Errors: errs, Page: page}
		out.Accounts, out.Freshness = d.accountAges(conns, ages)
		return out, fmt.Sprintf("%d reviews%s.%s", len(revs), errorSuffix(errs), d.ageSuffix(conns, ages)), nil
	})
}

// reviewsRead lists an account's reviews (of one property, when propID is
// set), newest first.
func reviewsRead(propID string) vendorRead[[]connector.Review] {
	return vendorRead[[]connector.Review]{kind: connector.KindReviews, subject: propID,
		fetch: sorted(func(ctx context.Context, cn connector.Connector) ([]connector.Review, error) {
			rl, ok := cn.(connector.ReviewLister)
			if !ok {
				return nil, nil
			}
			return rl.ListReviews(ctx, connector.ReviewQuery{PropertyID: propID})
		}, newestReview)}
}

// SitesIn pages list_sites.
type SitesIn struct {
	FreshIn
	PageIn
}

// SitesOut lists HoxtonAI sites.
type SitesOut struct {
	Sites  []connector.Site `json:"sites"`
	Errors []VendorError    `json:"errors,omitempty"`
	Freshness
	Accounts []AccountAge `json:"accounts,omitempty" jsonschema_description:"how old each account's part is; listed only when they differ, or when one is older because of a rate limit (see its note)"`
	Page
}

func (o *SitesOut) page() *Page { return &o.Page }
func (o *SitesOut) items() int  { return len(o.Sites) }
func (o *SitesOut) keep(n int)  { o.Sites = o.Sites[:n] }

func siteByName(a, b connector.Site) int {
	return cmp.Or(compareFold(a.Name, b.Name), strings.Compare(a.ID, b.ID))
}

func listSites(d *Deps) Tool {
	return New(Meta{
		Name: "list_sites", Title: "List footfall sites",
		Description: "Lists the venues with HoxtonAI footfall sensors and their monitors.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, d, func(ctx context.Context, d *Deps, c *Caller, in SitesIn) (SitesOut, string, error) {
		p, err := newPager(d, c, "list_sites", struct{}{}, in.PageIn)
		if err != nil {
			return SitesOut{}, "", err
		}
		conns, err := connections(ctx, d, c, "hoxtonai")
		if err != nil {
			return SitesOut{}, "", err
		}
		sites, page, ages, errs, err := fanPage(ctx, d, p, conns, in.Fresh, sitesRead(), siteByName)
		if err != nil {
			return SitesOut{}, "", err
		}
		out := SitesOut{Sites: sites, Errors: errs, Page: page}
		out.Accounts, out.Freshness = d.accountAges(conns, ages)
		return out, fmt.Sprintf("%d sites%s.%s", len(sites), errorSuffix(errs), d.ageSuffix(conns, ages)), nil
	})
}

// sitesRead lists an account's footfall sites, by name.
func sitesRead() vendorRead[[]connector.Site] {
	return vendorRead[[]connector.Site]{kind: connector.KindSites,
		fetch: sorted(func(ctx context.Context, cn connector.Connector) ([]connector.Site, error) {
			sl, ok := cn.(connector.SiteLister)
			if !ok {
				return nil, unsupported("sites")
			}
			return sl.ListSites(ctx)
		}, siteByName)}
}

// FootfallIn asks for a site's daily counts.
type FootfallIn struct {
	SiteID string `json:"site_id" jsonschema_description:"vendor-qualified site id from list_sites"`
	From   string `json:"from,omitempty" jsonschema_description:"first date, YYYY-MM-DD (default 7 days ago)"`
	To     string `json:"to,omitempty" jsonschema_description:"last date, YYYY-MM-DD (default yesterday)"`
	FreshIn
}

// FootfallOut is a site's daily counts and how old they are.
type FootfallOut struct {
	connector.FootfallReport
	Freshness
}

func getFootfall(d *Deps) Tool {
	return New(Meta{
		Name: "get_footfall", Title: "Get footfall",
		Description: "Gets a HoxtonAI site's daily people counts for a date range.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, d, func(ctx context.Context, d *Deps, c *Caller, in FootfallIn) (FootfallOut, string, error) {
		now := d.now()
		from, to := in.From, in.To
		if from == "" {
			from = now.AddDate(0, 0, -7).Format("2006-01-02")
		}
		if to == "" {
			to = now.AddDate(0, 0, -1).Format("2006-01-02")
		}
		r, err := dateRange(now, from, to, 7)
		if err != nil {
			return FootfallOut{}, "", err
		}
		conns, id, err := route(ctx, d, c, in.SiteID, "site_id")
		if err != nil {
			return FootfallOut{}, "", err
		}
		rep, conn, age, err := first(ctx, d, conns, in.Fresh, footfallRead(id, r))
		if err != nil {
			return FootfallOut{}, "", err
		}
		return FootfallOut{FootfallReport: rep, Freshness: d.freshness(age)},
			fmt.Sprintf("%d people counted from %s to %s.%s", rep.Total, rep.From, rep.To, d.singleSuffix(conn, age)), nil
	})
}

// footfallRead gets a site's daily counts over r.
func footfallRead(id string, r connector.DateRange) vendorRead[connector.FootfallReport] {
	return vendorRead[connector.FootfallReport]{kind: connector.KindFootfall, subject: id, args: r.From + "|" + r.To,
		fetch: func(ctx context.Context, cn connector.Connector) (connector.FootfallReport, error) {
			if fr, ok := cn.(connector.FootfallReader); ok {
				return fr.Footfall(ctx, id, r)
			}
			return connector.FootfallReport{}, unsupported("footfall")
		}}
}
