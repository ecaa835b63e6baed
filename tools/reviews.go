package tools

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
)

// ReviewsIn filters reviews.
type ReviewsIn struct {
	Vendor     string `json:"vendor,omitempty" jsonschema_description:"only this vendor"`
	PropertyID string `json:"property_id,omitempty" jsonschema_description:"only this vendor-qualified property"`
	PageIn
}

// ReviewsOut lists guest reviews.
type ReviewsOut struct {
	Reviews []connector.Review `json:"reviews"`
	Errors  []VendorError      `json:"errors,omitempty"`
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
		pg := in.PageIn
		in.PageIn = PageIn{}
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
		revs, page, errs, err := fanPage(ctx, d, p, conns, func(ctx context.Context, cn connector.Connector, _ store.Connection) ([]connector.Review, error) {
			rl, ok := cn.(connector.ReviewLister)
			if !ok {
				return nil, nil
			}
			return rl.ListReviews(ctx, connector.ReviewQuery{PropertyID: propID})
		}, newestReview)
		if err != nil {
			return ReviewsOut{}, "", err
		}
		return ReviewsOut{Reviews: revs, Errors: errs, Page: page}, fmt.Sprintf("%d reviews%s.", len(revs), errorSuffix(errs)), nil
	})
}

// SitesIn pages list_sites.
type SitesIn struct {
	PageIn
}

// SitesOut lists HoxtonAI sites.
type SitesOut struct {
	Sites  []connector.Site `json:"sites"`
	Errors []VendorError    `json:"errors,omitempty"`
	Page
}

func (o *SitesOut) page() *Page { return &o.Page }
func (o *SitesOut) items() int  { return len(o.Sites) }
func (o *SitesOut) keep(n int)  { o.Sites = o.Sites[:n] }

func siteByName(a, b connector.Site) int {
	return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
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
		sites, page, errs, err := fanPage(ctx, d, p, conns, func(ctx context.Context, cn connector.Connector, _ store.Connection) ([]connector.Site, error) {
			sl, ok := cn.(connector.SiteLister)
			if !ok {
				return nil, unsupported("sites")
			}
			return sl.ListSites(ctx)
		}, siteByName)
		if err != nil {
			return SitesOut{}, "", err
		}
		return SitesOut{Sites: sites, Errors: errs, Page: page}, fmt.Sprintf("%d sites%s.", len(sites), errorSuffix(errs)), nil
	})
}

// FootfallIn asks for a site's daily counts.
type FootfallIn struct {
	SiteID string `json:"site_id" jsonschema_description:"vendor-qualified site id from list_sites"`
	From   string `json:"from,omitempty" jsonschema_description:"first date, YYYY-MM-DD (default 7 days ago)"`
	To     string `json:"to,omitempty" jsonschema_description:"last date, YYYY-MM-DD (default yesterday)"`
}

func getFootfall(d *Deps) Tool {
	return New(Meta{
		Name: "get_footfall", Title: "Get footfall",
		Description: "Gets a HoxtonAI site's daily people counts for a date range.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, d, func(ctx context.Context, d *Deps, c *Caller, in FootfallIn) (connector.FootfallReport, string, error) {
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
			return connector.FootfallReport{}, "", err
		}
		conns, id, err := route(ctx, d, c, in.SiteID, "site_id")
		if err != nil {
			return connector.FootfallReport{}, "", err
		}
		rep, err := first(ctx, d, conns, func(ctx context.Context, cn connector.Connector) (connector.FootfallReport, error) {
			if fr, ok := cn.(connector.FootfallReader); ok {
				return fr.Footfall(ctx, id, r)
			}
			return connector.FootfallReport{}, unsupported("footfall")
		})
		if err != nil {
			return connector.FootfallReport{}, "", err
		}
		return rep, fmt.Sprintf("%d people counted from %s to %s.", rep.Total, rep.From, rep.To), nil
	})
}
