package tandem

import (
	"context"
	"time"
)

// RiskCategory classifies a risk-register entry.
type RiskCategory string

// The risk categories of CONTRACT.
const (
	RiskSourceSafety  RiskCategory = "source_safety"
	RiskOfficerSafety RiskCategory = "officer_safety"
	RiskRelationship  RiskCategory = "relationship"
	RiskCorruption    RiskCategory = "corruption"
	RiskCompromise    RiskCategory = "compromise"
	RiskWelfare       RiskCategory = "welfare"
	RiskOther         RiskCategory = "other"
)

// ValidRiskCategory reports whether c is a known category.
func ValidRiskCategory(c RiskCategory) bool {
	switch c {
	case RiskSourceSafety, RiskOfficerSafety, RiskRelationship, RiskCorruption, RiskCompromise, RiskWelfare, RiskOther:
		return true
	}
	return false
}

// Risk is an entry in a source's risk register: what the risk is, how
// likely and how bad, how it is mitigated and when it is next reviewed.
type Risk struct {
	ID          string       `json:"id"`
	SourceID    string       `json:"source_id"`
	Category    RiskCategory `json:"category"`
	Description string       `json:"description"`
	Likelihood  int          `json:"likelihood"`
	Impact      int          `json:"impact"`
	Mitigation  string       `json:"mitigation"`
	ReviewBy    string       `json:"review_by"`
	ContactID   string       `json:"contact_id,omitempty"`
	RecordedAt  time.Time    `json:"recorded_at"`
	RecordedBy  string       `json:"recorded_by"`
}

// RiskCreate is a request to add a risk-register entry.
type RiskCreate struct {
	Category    RiskCategory
	Description string
	Likelihood  int
	Impact      int
	Mitigation  string
	ReviewBy    string
	ContactID   string
}

// RiskService keeps sources' risk registers.
type RiskService interface {
	CreateRisk(ctx context.Context, sourceID string, c RiskCreate) (*Risk, error)
	ListRisks(ctx context.Context, sourceID string) ([]*Risk, error)
}
